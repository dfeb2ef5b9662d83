package dev.attest.examples.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evidence waiting for the verifier, on disk, in order. Each item is one file named by its
 * sequence number, written atomically (temporary file, fsync, rename, directory fsync), so a
 * crash leaves every item whole or absent. Bounded by item count and total bytes: when full, the
 * oldest items are dropped to make room (the newest evidence says most about the device now),
 * and every drop is counted in a persistent counter and returned to the caller, so it is
 * reported, never silent. Not thread-safe: the agent uses it from one thread.
 */
public final class EvidenceQueue {
    private static final Pattern ITEM = Pattern.compile("(\\d{20})\\.evidence");
    private static final String DROPPED = "dropped-count";
    private static final String LAST_ADDED = "last-added";

    private final Path dir;
    private final int maxItems;
    private final long maxBytes;
    private final TreeMap<Long, Long> sizes = new TreeMap<>();
    private long totalBytes;
    private long dropped;
    private long lastAdded;

    /** One item, the oldest first. */
    public record Item(long sequence, byte[] evidence) {
    }

    private EvidenceQueue(Path dir, int maxItems, long maxBytes) {
        this.dir = dir;
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
    }

    /** Opens (or creates) the queue in {@code dir}; leftover temporary files are discarded. */
    public static EvidenceQueue open(Path dir, int maxItems, long maxBytes) throws IOException {
        if (maxItems < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("queue bounds must be positive");
        }
        Files.createDirectories(dir);
        EvidenceQueue q = new EvidenceQueue(dir, maxItems, maxBytes);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                Matcher m = ITEM.matcher(name);
                if (m.matches()) {
                    long size = Files.size(p);
                    q.sizes.put(Long.parseLong(m.group(1)), size);
                    q.totalBytes += size;
                } else if (name.endsWith(".tmp")) {
                    Files.delete(p);
                }
            }
        }
        Path last = dir.resolve(LAST_ADDED);
        if (Files.exists(last)) {
            q.lastAdded = Long.parseLong(Files.readString(last).strip());
        }
        if (!q.sizes.isEmpty()) {
            // An item written just before a crash, whose marker was not: the item counts.
            q.lastAdded = Math.max(q.lastAdded, q.sizes.lastKey());
        }
        Path counter = dir.resolve(DROPPED);
        if (Files.exists(counter)) {
            q.dropped = Long.parseLong(Files.readString(counter).strip());
        }
        return q;
    }

    /**
     * Adds evidence with its sequence number (which must be above every queued one), dropping the
     * oldest items if the bounds require.
     *
     * @return the sequence numbers dropped to make room, oldest first (empty if none)
     * @throws IllegalArgumentException if the item alone exceeds the byte bound, or the sequence
     *     does not increase
     */
    public List<Long> add(long sequence, byte[] evidence) throws IOException {
        if (evidence.length > maxBytes) {
            throw new IllegalArgumentException("evidence of " + evidence.length + " bytes exceeds the queue's "
                    + maxBytes + " bytes");
        }
        if (sequence <= lastAdded) {
            throw new IllegalArgumentException("sequence " + sequence + " not above the last added " + lastAdded);
        }
        List<Long> droppedNow = new ArrayList<>();
        while (sizes.size() + 1 > maxItems || totalBytes + evidence.length > maxBytes) {
            long oldest = sizes.firstKey();
            remove(oldest);
            droppedNow.add(oldest);
        }
        if (!droppedNow.isEmpty()) {
            dropped += droppedNow.size();
            writeAtomically(dir.resolve(DROPPED), Long.toString(dropped).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        writeAtomically(dir.resolve(name(sequence)), evidence);
        sizes.put(sequence, (long) evidence.length);
        totalBytes += evidence.length;
        lastAdded = sequence;
        writeAtomically(dir.resolve(LAST_ADDED), Long.toString(sequence).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return droppedNow;
    }

    /** The oldest item, if any. */
    public Optional<Item> oldest() throws IOException {
        if (sizes.isEmpty()) {
            return Optional.empty();
        }
        long seq = sizes.firstKey();
        return Optional.of(new Item(seq, Files.readAllBytes(dir.resolve(name(seq)))));
    }

    /**
     * When the oldest item was queued (its file's modification time: written once, renamed into
     * place), if there is one.
     */
    public Optional<java.time.Instant> oldestQueuedAt() throws IOException {
        if (sizes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Files.getLastModifiedTime(dir.resolve(name(sizes.firstKey()))).toInstant());
    }

    /** Removes an item once the verifier has taken it. */
    public void remove(long sequence) throws IOException {
        Long size = sizes.remove(sequence);
        if (size != null) {
            Files.deleteIfExists(dir.resolve(name(sequence)));
            totalBytes -= size;
        }
    }

    /** How many items wait. */
    public int size() {
        return sizes.size();
    }

    /**
     * The sequence of the newest evidence ever added (delivered or not), surviving restarts; 0 if
     * none. The agent uses it to find log entries that no evidence covers yet after a crash.
     */
    public long lastAdded() {
        return lastAdded;
    }

    /** How many items were ever dropped because the queue was full (survives restarts). */
    public long droppedCount() {
        return dropped;
    }

    private static String name(long sequence) {
        return String.format("%020d.evidence", sequence);
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
