package dev.attest.core.collectors;

import dev.attest.core.CollectionContext;
import dev.attest.core.Collector;
import dev.attest.core.ComponentId;
import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Measures files, directory trees and block devices (firmware partitions) by digest: one
 * measurement per file, named by its absolute path, with one digest per configured algorithm
 * (SHA-256 unless set) and its size in the value {@code size}.
 *
 * <p>Directories are walked recursively in byte order of the file names, so the measurements of
 * a tree always come in the same order. Symbolic links are handled as the {@link SymlinkPolicy}
 * says, never implicitly. Block and character devices are read to their end; FIFOs and sockets
 * (which could block for ever) are reported UNSUPPORTED. A path that does not exist or cannot be
 * read is reported as an ERROR measurement, not skipped. Content is streamed through the JDK's
 * {@link MessageDigest} (which uses the CPU's SHA instructions) in 1 MiB reads, all algorithms
 * in one pass. With {@link Builder#maxBytes(long)} a file larger than the bound is reported as
 * ERROR rather than read to its end.
 */
public final class FileDigestCollector implements Collector {
    /** What to do with a symbolic link met while measuring. */
    public enum SymlinkPolicy {
        /** Measure what the link points to (a link out of the tree is measured too). */
        FOLLOW,
        /**
         * Measure the link itself: its digest is over the link's target path (UTF-8) and the
         * value {@code symlink-target} holds that path, so retargeting the link is detected.
         */
        RECORD_TARGET,
        /** Report every link as an ERROR measurement. */
        REJECT
    }

    private static final int BUFFER = 1 << 20;
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFCHR = 0020000;

    private final String id;
    private final Layer layer;
    private final List<Path> paths;
    private final Set<DigestAlgorithm> algorithms;
    private final SymlinkPolicy symlinks;
    private final int maxDepth;
    private final long maxBytes;
    private final Progress progress;

    /**
     * Told how far the hashing of each file has come, for progress display of long work (large
     * firmware images). Called on the collecting thread after every buffer; must be cheap and
     * must not throw.
     */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param file the file being hashed
         * @param done bytes hashed so far
         * @param size the file's size when opened (for block devices, their capacity)
         */
        void hashed(Path file, long done, long size);
    }

    private FileDigestCollector(Builder b) {
        this.id = Collector.checkId(b.id);
        this.layer = b.layer;
        this.paths = List.copyOf(b.paths);
        this.algorithms = b.algorithms.isEmpty() ? EnumSet.of(DigestAlgorithm.SHA_256) : EnumSet.copyOf(b.algorithms);
        this.symlinks = b.symlinks;
        this.maxDepth = b.maxDepth;
        this.maxBytes = b.maxBytes;
        this.progress = b.progress;
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no paths to measure");
        }
    }

    /**
     * Starts a builder; at least one path is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Layer layer() {
        return layer;
    }

    /**
     * Measures every configured path.
     *
     * @throws InterruptedException if the run is cancelled (the scheduler's timeout)
     */
    @Override
    public List<Measurement> collect(CollectionContext context) throws InterruptedException {
        List<Measurement> out = new ArrayList<>();
        for (Path p : paths) {
            measure(p.toAbsolutePath().normalize(), context.time(), 0, out);
        }
        return out;
    }

    private void measure(Path p, Instant time, int depth, List<Measurement> out) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("file digest run cancelled");
        }
        ComponentId component = ComponentId.of(p.toString());
        try {
            BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attrs.isSymbolicLink()) {
                switch (symlinks) {
                    case REJECT:
                        out.add(Measurement.error(id, component, layer, time,
                                "symbolic link to " + Files.readSymbolicLink(p) + " (policy REJECT)"));
                        return;
                    case RECORD_TARGET: {
                        String target = Files.readSymbolicLink(p).toString();
                        Measurement.Builder b = Measurement.builder(component, layer).collector(id).time(time);
                        for (DigestAlgorithm a : algorithms) {
                            b.digest(a.hash(target.getBytes(StandardCharsets.UTF_8)));
                        }
                        out.add(b.value("symlink-target", target).build());
                        return;
                    }
                    case FOLLOW:
                        attrs = Files.readAttributes(p, BasicFileAttributes.class);
                        break;
                    default:
                        throw new AssertionError(symlinks);
                }
            }
            if (attrs.isDirectory()) {
                if (depth >= maxDepth) {
                    out.add(Measurement.error(id, component, layer, time,
                            "directory deeper than " + maxDepth + " levels not measured"));
                    return;
                }
                for (Path child : sortedChildren(p)) {
                    measure(child, time, depth + 1, out);
                }
                return;
            }
            if (attrs.isOther() && !isDevice(p)) {
                out.add(Measurement.unsupported(id, component, layer, time,
                        "not a regular file, directory or device (FIFO or socket)"));
                return;
            }
            out.add(digestFile(p, component, time));
        } catch (NoSuchFileException e) {
            out.add(Measurement.error(id, component, layer, time, "no such file"));
        } catch (IOException | SecurityException e) {
            out.add(Measurement.error(id, component, layer, time,
                    "cannot read: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    private static boolean isDevice(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode");
        int type = mode & S_IFMT;
        return type == S_IFBLK || type == S_IFCHR;
    }

    private static List<Path> sortedChildren(Path dir) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(children::add);
        }
        // Byte order of the UTF-8 names, independent of locale and file system order.
        children.sort((a, b) -> java.util.Arrays.compareUnsigned(
                a.getFileName().toString().getBytes(StandardCharsets.UTF_8),
                b.getFileName().toString().getBytes(StandardCharsets.UTF_8)));
        return children;
    }

    private Measurement digestFile(Path p, ComponentId component, Instant time)
            throws IOException, InterruptedException {
        MessageDigest[] mds = new MessageDigest[algorithms.size()];
        DigestAlgorithm[] algs = algorithms.toArray(new DigestAlgorithm[0]);
        for (int i = 0; i < algs.length; i++) {
            mds[i] = algs[i].newMessageDigest();
        }
        long size = 0;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long total = ch.size();
            // Sized to the file (one read and the end), at most 1 MiB: a device measuring a hundred
            // small files must not allocate a hundred megabytes per cycle in its 32 MiB heap.
            ByteBuffer buf = ByteBuffer.allocate((int) Math.max(4096, Math.min(BUFFER, total + 1)));
            byte[] arr = buf.array();
            int n;
            while ((n = ch.read(buf)) >= 0) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("file digest run cancelled");
                }
                if (size + buf.position() > maxBytes) {
                    return Measurement.error(id, component, layer, time,
                            "larger than the limit of " + maxBytes + " bytes");
                }
                for (MessageDigest md : mds) {
                    md.update(arr, 0, buf.position());
                }
                size += buf.position();
                buf.clear();
                if (progress != null) {
                    progress.hashed(p, size, Math.max(total, size));
                }
            }
        }
        Measurement.Builder b = Measurement.builder(component, layer).collector(id).time(time);
        for (int i = 0; i < algs.length; i++) {
            b.digest(new Digest(algs[i], mds[i].digest()));
        }
        return b.value("size", size).build();
    }

    /** Configures a {@link FileDigestCollector}. */
    public static final class Builder {
        private String id = "file-digest";
        private Layer layer = Layer.APPLICATION;
        private final Set<Path> paths = new LinkedHashSet<>();
        private final Set<DigestAlgorithm> algorithms = EnumSet.noneOf(DigestAlgorithm.class);
        private SymlinkPolicy symlinks = SymlinkPolicy.RECORD_TARGET;
        private int maxDepth = 64;
        private long maxBytes = Long.MAX_VALUE;
        private Progress progress;

        private Builder() {
        }

        /**
         * The collector id ({@code file-digest} unless set).
         *
         * @param id the collector id ({@link Collector#ID} syntax)
         * @return this builder
         */
        public Builder id(String id) {
            this.id = Collector.checkId(id);
            return this;
        }

        /**
         * The layer of the measurements ({@link Layer#APPLICATION} unless set).
         *
         * @param layer the layer
         * @return this builder
         */
        public Builder layer(Layer layer) {
            this.layer = Objects.requireNonNull(layer, "layer");
            return this;
        }

        /**
         * Adds a file, directory or device to measure.
         *
         * @param path the file, directory or device
         * @return this builder
         */
        public Builder path(Path path) {
            paths.add(Objects.requireNonNull(path, "path"));
            return this;
        }

        /**
         * Adds a digest algorithm (SHA-256 alone unless any is added).
         *
         * @param algorithm the digest algorithm
         * @return this builder
         */
        public Builder algorithm(DigestAlgorithm algorithm) {
            algorithms.add(Objects.requireNonNull(algorithm, "algorithm"));
            return this;
        }

        /**
         * How symbolic links are handled ({@link SymlinkPolicy#RECORD_TARGET} unless set).
         *
         * @param policy the symbolic link policy
         * @return this builder
         */
        public Builder symlinks(SymlinkPolicy policy) {
            this.symlinks = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Deepest directory level walked (64 unless set); deeper directories are reported as ERROR.
         *
         * @param maxDepth the deepest directory level to walk
         * @return this builder
         */
        public Builder maxDepth(int maxDepth) {
            if (maxDepth < 0 || maxDepth > 4096) {
                throw new IllegalArgumentException("maxDepth must be 0..4096");
            }
            this.maxDepth = maxDepth;
            return this;
        }

        /**
         * Largest file or device read (unbounded unless set); a larger one is reported as an
         * ERROR measurement. Set it when measuring character devices that may never end.
         *
         * @param maxBytes the largest number of bytes to read from one file or device
         * @return this builder
         */
        public Builder maxBytes(long maxBytes) {
            if (maxBytes < 0) {
                throw new IllegalArgumentException("maxBytes must not be negative");
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /**
         * Reports hashing progress to {@code p} (e.g. a progress bar on a terminal).
         *
         * @param p the progress listener
         * @return this builder
         */
        public Builder progress(Progress p) {
            this.progress = java.util.Objects.requireNonNull(p, "progress");
            return this;
        }

        /**
         * The collector.
         *
         * @return a collector of the paths added, in the order added
         * @throws IllegalArgumentException when no path was added
         */
        public FileDigestCollector build() {
            return new FileDigestCollector(this);
        }
    }
}
