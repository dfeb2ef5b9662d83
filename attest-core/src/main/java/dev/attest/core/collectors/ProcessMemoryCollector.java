package dev.attest.core.collectors;

import dev.attest.core.CollectionContext;
import dev.attest.core.Collector;
import dev.attest.core.ComponentId;
import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.core.internal.proc.MapsEntry;
import dev.attest.core.internal.proc.ProcFormatException;
import dev.attest.core.internal.proc.ProcMaps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Process code integrity: compares every executable, file-backed mapping of a process, as it is
 * in memory ({@code /proc/PID/mem}), with the same range of its backing file on disk (the file
 * offset from {@code /proc/PID/maps}). Code patched in memory (an inline hook, a breakpoint, a
 * {@code ptrace} or {@code /proc/PID/mem} write) makes the two differ.
 *
 * <p>Reports, in layer {@link Layer#PROCESS}, one measurement per executable file-backed
 * mapping, named by the backing file's path:
 * <ul>
 * <li>digest: SHA-256 of the on-disk bytes of the range (a {@link Measurement} holds one digest
 *     per algorithm, so the in-memory digest travels as a value);</li>
 * <li>{@code memory-digest} (bytes): SHA-256 of the in-memory bytes;</li>
 * <li>{@code match} (bool): whether they are equal; {@code differing-bytes} (int) and, when
 *     non-zero, {@code first-difference} (int, offset within the mapping);</li>
 * <li>{@code backing} (text): {@code file} (the path still names the mapped inode),
 *     {@code deleted} (the kernel marks the file deleted: the bytes come from
 *     {@code /proc/PID/map_files}), {@code replaced} (the path now names another inode than the
 *     one mapped, by device and inode number: the bytes come from {@code map_files});</li>
 * <li>{@code pid}, {@code map-start}, {@code map-end}, {@code file-offset}, {@code length} (bytes
 *     compared: the mapping, or less where it extends past the end of the file, which the kernel
 *     fills with zeros), {@code perms}.</li>
 * </ul>
 * plus one summary measurement {@code process:<pid>} with {@code exe}, {@code pid} and the counts
 * {@code executable-mappings}, {@code mismatched-mappings}, {@code deleted-mappings},
 * {@code replaced-mappings}, {@code unreadable-mappings}.
 *
 * <p>A mapping whose bytes cannot be read is an ERROR measurement naming the reason; when the
 * process does not exist, procfs is absent, or reading its memory is not permitted (ptrace
 * access mode, see ptrace(2)), the collector returns one UNSUPPORTED measurement saying so.
 *
 * <p><b>On-disk digest cache.</b> The in-memory bytes are read and hashed afresh in every
 * collection. The on-disk digest of a range of a file that the path still names ({@code backing}
 * {@code file}) is reused from the previous collection when the file's identity is unchanged:
 * the same path, file offset and mapping length, and the same device, inode number, size,
 * modification time and status-change time ({@code ctime}), all with the nanoseconds the kernel
 * reports. What this trusts: that the file's bytes do not change without its {@code ctime}
 * changing. Every write, truncation, {@code utimensat} (which is how {@code touch -d} puts an old
 * modification time back), {@code chmod}/{@code chown} and rename through the kernel's filesystem
 * code sets {@code ctime} to the current time, and no system call sets it to a chosen value; a
 * file replaced by another inode changes device or inode number. It does not hold against a
 * writer below the filesystem: raw writes to the block device, a filesystem image modified
 * offline and mounted again with identical metadata, a FUSE or network filesystem whose server
 * reports unchanged attributes for changed contents, or root setting the system clock back to
 * reproduce a {@code ctime} to the nanosecond while rewriting the file — each of those already
 * needs the privileges that patch the memory directly. An entry is stored only when the identity
 * read before the file was hashed equals the one read after (a file changed or swapped while it
 * was read is hashed again next time); when the memory does not match the cached digest, the
 * file is read again and compared byte by byte, so a reported difference is always against the
 * current file. Mappings of deleted or replaced files are never cached. The cache holds one entry
 * per executable mapping of the last collection (nothing else is kept); a deployment that wants
 * every byte re-read each cycle uses {@link #withoutFileDigestCache()}, whose results are the
 * same.
 */
public final class ProcessMemoryCollector implements Collector {
    /** Id of the collector for the own process. */
    public static final String DEFAULT_ID = "process-memory";
    /**
     * Read size. 64 KiB keeps SHA-256 at full speed while the two buffers, allocated once per
     * collection and shared by every mapping, stay small objects (no humongous G1 regions, ~128 KiB
     * per cycle instead of 2 MiB per mapping: the agent runs in a 32 MiB heap).
     */
    private static final int CHUNK = 64 << 10;
    private static final DigestAlgorithm ALG = DigestAlgorithm.SHA_256;

    private static final String IDENTITY = "unix:dev,ino,size,lastModifiedTime,ctime";

    private final String id;
    private final long pid;
    private final boolean cacheFileDigests;
    /** On-disk digests of the last collection's mappings; replaced as a whole after each one. */
    private volatile Map<RangeKey, CachedDigest> fileDigests = Map.of();

    /** Measures the current process (ServiceLoader entry point). */
    public ProcessMemoryCollector() {
        this(DEFAULT_ID, -1, true);
    }

    private ProcessMemoryCollector(String id, long pid, boolean cacheFileDigests) {
        this.id = Collector.checkId(id);
        this.pid = pid;
        this.cacheFileDigests = cacheFileDigests;
    }

    /** A mapped range of a file, by path. */
    private record RangeKey(String path, long offset, long mappingLength) {
    }

    /** A file's identity as read by {@link #IDENTITY}: device, inode, size, mtime, ctime. */
    private record FileIdentity(Object dev, Object ino, Object size, Object mtime, Object ctime) {
        static FileIdentity of(Map<String, Object> st) {
            return new FileIdentity(st.get("dev"), st.get("ino"), st.get("size"), st.get("lastModifiedTime"),
                    st.get("ctime"));
        }
    }

    /** The on-disk digest of a range, valid while the file's identity is the one recorded. */
    private record CachedDigest(FileIdentity identity, long length, Digest digest) {
    }

    /**
     * The same collector without the on-disk digest cache: every file range is read and hashed in
     * every collection (the results are the same; the cost is one more read and hash per mapping).
     *
     * @return a new collector with the same id and process, and no cache
     */
    public ProcessMemoryCollector withoutFileDigestCache() {
        return new ProcessMemoryCollector(id, pid, false);
    }

    /** Number of on-disk digests kept from the last collection (for tests). */
    int cachedFileDigests() {
        return fileDigests.size();
    }

    /**
     * Measures process {@code pid}; the collector's id is {@code process-memory-<pid>}.
     *
     * @param pid the process id
     * @return the collector
     * @throws IllegalArgumentException if {@code pid < 1}
     */
    public static ProcessMemoryCollector of(long pid) {
        if (pid < 1) {
            throw new IllegalArgumentException("pid must be >= 1");
        }
        return new ProcessMemoryCollector(DEFAULT_ID + "-" + pid, pid, true);
    }

    @Override
    public String id() {
        return id;
    }

    /**
     * The process measured.
     *
     * @return the process id
     */
    public long pid() {
        return pid < 0 ? ProcessHandle.current().pid() : pid;
    }

    @Override
    public List<Measurement> collect(CollectionContext context) throws IOException {
        long p = pid();
        Instant time = context.time();
        ComponentId summaryId = ComponentId.of("process:" + p);
        List<MapsEntry> maps;
        try {
            maps = ProcMaps.read(p);
        } catch (NoSuchFileException e) {
            return List.of(Measurement.unsupported(id, summaryId, Layer.PROCESS, time,
                    "/proc/" + p + "/maps does not exist (no procfs, or no such process)"));
        } catch (AccessDeniedException e) {
            return List.of(Measurement.unsupported(id, summaryId, Layer.PROCESS, time,
                    "not permitted to read /proc/" + p + "/maps"));
        } catch (ProcFormatException e) {
            return List.of(Measurement.error(id, summaryId, Layer.PROCESS, time, e.getMessage()));
        }
        Path mem = Path.of("/proc", Long.toString(p), "mem");
        List<Measurement> out = new ArrayList<>();
        int executable = 0;
        int mismatched = 0;
        int deleted = 0;
        int replaced = 0;
        int unreadable = 0;
        ByteBuffer mb = ByteBuffer.allocate(CHUNK);
        ByteBuffer fb = ByteBuffer.allocate(CHUNK);
        Map<RangeKey, CachedDigest> previous = fileDigests;
        Map<RangeKey, CachedDigest> next = new java.util.HashMap<>();
        try (FileChannel memCh = FileChannel.open(mem, StandardOpenOption.READ)) {
            for (MapsEntry e : maps) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new java.io.InterruptedIOException("interrupted");
                }
                if (!e.executable() || !e.fileBacked()) {
                    continue;
                }
                executable++;
                Measurement m = measure(p, memCh, e, time, mb, fb, previous, next);
                String backing = m.value("backing").map(v -> ((Value.Text) v).value()).orElse("");
                if (backing.equals("deleted")) {
                    deleted++;
                } else if (backing.equals("replaced")) {
                    replaced++;
                }
                if (m.status() != Measurement.Status.OK) {
                    unreadable++;
                } else if (m.value("match").equals(java.util.Optional.of(new Value.Bool(false)))) {
                    mismatched++;
                }
                out.add(m);
            }
        } catch (AccessDeniedException e) {
            return List.of(Measurement.unsupported(id, summaryId, Layer.PROCESS, time,
                    "not permitted to read " + mem + " (ptrace access mode check, see ptrace(2))"));
        } catch (NoSuchFileException e) {
            return List.of(Measurement.unsupported(id, summaryId, Layer.PROCESS, time,
                    mem + " does not exist (process exited?)"));
        }
        if (cacheFileDigests) {
            fileDigests = next;
        }
        String exe;
        try {
            exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(p), "exe")).toString();
        } catch (IOException e) {
            exe = "";
        }
        out.add(0, Measurement.builder(summaryId, Layer.PROCESS).collector(id).time(time)
                .value("pid", p).value("exe", exe)
                .value("executable-mappings", executable).value("mismatched-mappings", mismatched)
                .value("deleted-mappings", deleted).value("replaced-mappings", replaced)
                .value("unreadable-mappings", unreadable).build());
        return out;
    }

    private Measurement measure(long p, FileChannel memCh, MapsEntry e, Instant time, ByteBuffer mb,
            ByteBuffer fb, Map<RangeKey, CachedDigest> previous, Map<RangeKey, CachedDigest> next) {
        ComponentId component = ComponentId.of(e.pathname());
        Map<String, Value> base = new java.util.TreeMap<>();
        base.put("pid", new Value.Int(p));
        base.put("map-start", new Value.Int(e.start()));
        base.put("map-end", new Value.Int(e.end()));
        base.put("file-offset", new Value.Int(e.offset()));
        base.put("perms", new Value.Text(e.perms()));
        Path mapFile = Path.of("/proc", Long.toString(p), "map_files", e.range());
        String backing;
        Path source;
        FileIdentity identity = null;
        if (e.deleted()) {
            backing = "deleted";
            source = mapFile;
        } else {
            boolean same;
            try {
                Map<String, Object> st = Files.readAttributes(Path.of(e.pathname()), IDENTITY);
                same = ((Long) st.get("dev")) == e.devT() && ((Long) st.get("ino")) == e.inode();
                identity = same ? FileIdentity.of(st) : null;
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
                same = false;
            }
            backing = same ? "file" : "replaced";
            source = same ? Path.of(e.pathname()) : mapFile;
        }
        base.put("backing", new Value.Text(backing));
        RangeKey key = new RangeKey(e.pathname(), e.offset(), e.length());
        CachedDigest cached = cacheFileDigests && identity != null ? previous.get(key) : null;
        if (cached != null && cached.identity().equals(identity)) {
            try {
                Digest memDigest = memoryDigest(memCh, e, cached.length(), mb);
                if (memDigest.matches(cached.digest())) {
                    next.put(key, cached);
                    base.put("length", new Value.Int(cached.length()));
                    base.put("memory-digest", new Value.Bytes(memDigest.value()));
                    base.put("match", new Value.Bool(true));
                    base.put("differing-bytes", new Value.Int(0));
                    return Measurement.builder(component, Layer.PROCESS).collector(id).time(time)
                            .digest(cached.digest()).values(base).build();
                }
            } catch (IOException ex) {
                // Fall through: the full comparison below reads both sides again and reports why.
            }
        }
        try (FileChannel fileCh = FileChannel.open(source, StandardOpenOption.READ)) {
            long available = Math.max(0, fileCh.size() - e.offset());
            long length = Math.min(e.length(), available);
            MessageDigest md = ALG.newMessageDigest();
            MessageDigest fd = ALG.newMessageDigest();
            long differing = 0;
            long first = -1;
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(mb.capacity(), length - done);
                readFully(memCh, mb, e.start() + done, n, "memory");
                readFully(fileCh, fb, e.offset() + done, n, "file");
                byte[] ma = mb.array();
                byte[] fa = fb.array();
                md.update(ma, 0, n);
                fd.update(fa, 0, n);
                if (!java.util.Arrays.equals(ma, 0, n, fa, 0, n)) {
                    for (int i = 0; i < n; i++) {
                        if (ma[i] != fa[i]) {
                            differing++;
                            if (first < 0) {
                                first = done + i;
                            }
                        }
                    }
                }
                done += n;
            }
            Digest memDigest = new Digest(ALG, md.digest());
            Digest fileDigest = new Digest(ALG, fd.digest());
            if (cacheFileDigests && identity != null && identity.equals(identityAfter(source))) {
                next.put(key, new CachedDigest(identity, length, fileDigest));
            }
            base.put("length", new Value.Int(length));
            base.put("memory-digest", new Value.Bytes(memDigest.value()));
            base.put("match", new Value.Bool(memDigest.matches(fileDigest)));
            base.put("differing-bytes", new Value.Int(differing));
            if (first >= 0) {
                base.put("first-difference", new Value.Int(first));
            }
            return Measurement.builder(component, Layer.PROCESS).collector(id).time(time)
                    .digest(fileDigest).values(base).build();
        } catch (IOException ex) {
            String why = ex instanceof AccessDeniedException ? "permission denied: " + source
                    : ex instanceof NoSuchFileException ? "no such file: " + source
                    : ex.getClass().getSimpleName() + ": " + ex.getMessage();
            return Measurement.builder(component, Layer.PROCESS).collector(id).time(time)
                    .values(base).status(Measurement.Status.ERROR, "cannot compare mapping " + e.range()
                            + " (" + backing + "): " + why).build();
        }
    }

    /** The file's identity now, or {@code null} when it cannot be read. */
    private static FileIdentity identityAfter(Path path) {
        try {
            return FileIdentity.of(Files.readAttributes(path, IDENTITY));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
            return null;
        }
    }

    private static Digest memoryDigest(FileChannel memCh, MapsEntry e, long length, ByteBuffer mb)
            throws IOException {
        MessageDigest md = ALG.newMessageDigest();
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(mb.capacity(), length - done);
            readFully(memCh, mb, e.start() + done, n, "memory");
            md.update(mb.array(), 0, n);
            done += n;
        }
        return new Digest(ALG, md.digest());
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, int n, String what)
            throws IOException {
        buf.clear().limit(n);
        while (buf.hasRemaining()) {
            int r = ch.read(buf, position + buf.position());
            if (r < 0) {
                throw new IOException("unexpected end of " + what + " at " + (position + buf.position()));
            }
        }
    }

    @Override
    public String toString() {
        return "ProcessMemoryCollector[" + id + ", pid=" + (pid < 0 ? "self" : Long.toString(pid))
                + (cacheFileDigests ? "" : ", no file digest cache") + "]";
    }
}
