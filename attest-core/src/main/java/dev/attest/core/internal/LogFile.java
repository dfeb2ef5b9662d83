package dev.attest.core.internal;

import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.MeasurementLogException;
import dev.attest.core.MeasurementLogException.Reason;
import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.core.internal.cbor.CborException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The file behind a persistent {@code MeasurementLog}: the head, the window start and the window
 * of entries, as deterministic CBOR {@code [state, sha-256(state)]}. Written atomically: the new
 * content goes to {@code <file>.tmp}, is forced to disk, renamed over the file, and the
 * directory is forced, so after a crash the file holds either the old or the new state, never a
 * mix. A leftover temporary file is an interrupted write and is discarded.
 */
public final class LogFile {
    /** Largest log file read: far above a 1,000,000-entry window of ordinary measurements. */
    static final int MAX_FILE_BYTES = 256 << 20;
    private static final int VERSION = 1;

    /** What the file holds. */
    public record State(LogHead head, LogHead windowStart, List<LogEntry> entries) {
    }

    private final Path path;
    private final Path tmp;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private LogFile(Path path, FileChannel lockChannel, FileLock lock) {
        this.path = path;
        this.tmp = path.resolveSibling(path.getFileName() + ".tmp");
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Takes the exclusive lock on {@code path.lock}; fails with LOCKED if it is held elsewhere. */
    public static LogFile lock(Path path) throws MeasurementLogException {
        Path abs = path.toAbsolutePath();
        Path lockPath = abs.resolveSibling(abs.getFileName() + ".lock");
        FileChannel ch = null;
        try {
            ch = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                ch.close();
                throw new MeasurementLogException(Reason.LOCKED, -1, abs + " is open in another process");
            }
            return new LogFile(abs, ch, l);
        } catch (OverlappingFileLockException e) {
            closeQuietly(ch);
            throw new MeasurementLogException(Reason.LOCKED, -1, abs + " is already open in this process", e);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new MeasurementLogException(Reason.IO, -1, "cannot lock " + lockPath + ": " + e.getMessage(), e);
        }
    }

    /** The persisted state, or {@code null} when no file exists yet. */
    public State read() throws MeasurementLogException {
        try {
            Files.deleteIfExists(tmp);
            byte[] bytes;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size > MAX_FILE_BYTES) {
                    throw corrupt("file is " + size + " bytes, more than " + MAX_FILE_BYTES);
                }
                ByteBuffer buf = ByteBuffer.allocate((int) size);
                while (buf.hasRemaining() && ch.read(buf) >= 0) {
                    // read until full or end of file
                }
                bytes = buf.array();
            }
            return decode(bytes);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new MeasurementLogException(Reason.IO, -1, "cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Replaces the file's content with {@code state}, atomically and durably. */
    public void write(State state) throws MeasurementLogException {
        byte[] bytes = encode(state);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new MeasurementLogException(Reason.IO, -1,
                        "the file system of " + path + " cannot rename atomically", e);
            }
            forceDirectory(path.getParent());
        } catch (IOException e) {
            throw new MeasurementLogException(Reason.IO, -1, "cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    private static void forceDirectory(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        // On Linux a directory opened for reading can be fsync'ed, which makes the rename durable.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }

    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // The channel close below releases it anyway.
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Nothing to recover: the lock dies with the channel.
            }
        }
    }

    static byte[] encode(State s) {
        List<Cbor> es = new ArrayList<>(s.entries().size());
        for (LogEntry e : s.entries()) {
            es.add(Cbor.Array.of(Cbor.of(e.sequence()), MeasurementCodec.toCbor(e.measurement()),
                    Cbor.of(e.measurementDigest().value()), Cbor.of(e.head().value())));
        }
        Cbor.Map state = Cbor.map()
                .put(1, Cbor.of(VERSION))
                .put(2, Cbor.of(s.head().head().algorithm().namedInformationId()))
                .put(3, Cbor.of(s.head().bootId()))
                .put(4, Cbor.of(s.head().sequence()))
                .put(5, Cbor.of(s.head().head().value()))
                .put(6, Cbor.of(s.windowStart().sequence()))
                .put(7, Cbor.of(s.windowStart().head().value()))
                .put(8, new Cbor.Array(es))
                .build();
        byte[] body = CborEncoder.encode(state);
        byte[] check = DigestAlgorithm.SHA_256.hash(body).value();
        return CborEncoder.encode(Cbor.Array.of(state, Cbor.of(check)));
    }

    static State decode(byte[] bytes) throws MeasurementLogException {
        Cbor top;
        try {
            top = CborDecoder.deterministic(MAX_FILE_BYTES, 16, Integer.MAX_VALUE).decode(bytes);
        } catch (CborException e) {
            throw corrupt("not a log file: " + e.getMessage());
        }
        if (!(top instanceof Cbor.Array a) || a.size() != 2 || !(a.get(0) instanceof Cbor.Map state)
                || !(a.get(1) instanceof Cbor.Bytes check)) {
            throw corrupt("not a log file");
        }
        byte[] body = CborEncoder.encode(state);
        if (!MessageDigest.isEqual(DigestAlgorithm.SHA_256.hash(body).value(), check.value())) {
            throw corrupt("checksum does not match the content");
        }
        try {
            if (integer(state, 1) != VERSION) {
                throw corrupt("unsupported log file version " + integer(state, 1));
            }
            DigestAlgorithm alg = DigestAlgorithm.byNamedInformationId(integer(state, 2))
                    .orElseThrow(() -> corrupt("unknown digest algorithm"));
            String bootId = ((Cbor.Text) field(state, 3)).value();
            LogHead head = new LogHead(integer(state, 4), new Digest(alg, bytes(state, 5)), bootId);
            LogHead start = new LogHead(integer(state, 6), new Digest(alg, bytes(state, 7)), bootId);
            List<LogEntry> entries = new ArrayList<>();
            for (Cbor c : ((Cbor.Array) field(state, 8)).items()) {
                Cbor.Array e = (Cbor.Array) c;
                if (e.size() != 4) {
                    throw corrupt("entry must have 4 fields");
                }
                entries.add(new LogEntry(((Cbor.Int) e.get(0)).value(), MeasurementCodec.fromCbor(e.get(1)),
                        new Digest(alg, ((Cbor.Bytes) e.get(2)).value()),
                        new Digest(alg, ((Cbor.Bytes) e.get(3)).value())));
            }
            return new State(head, start, entries);
        } catch (ClassCastException | IllegalArgumentException e) {
            // A field of the wrong type or value: the checksum matched, so this is not a torn
            // write but a file from something else.
            throw corrupt("malformed log state: " + e.getMessage());
        }
    }

    private static Cbor field(Cbor.Map m, int key) throws MeasurementLogException {
        return m.get(key).orElseThrow(() -> corrupt("missing field " + key));
    }

    private static long integer(Cbor.Map m, int key) throws MeasurementLogException {
        return ((Cbor.Int) field(m, key)).value();
    }

    private static byte[] bytes(Cbor.Map m, int key) throws MeasurementLogException {
        return ((Cbor.Bytes) field(m, key)).value();
    }

    private static MeasurementLogException corrupt(String message) {
        return new MeasurementLogException(Reason.CORRUPT_STATE, -1, message);
    }
}
