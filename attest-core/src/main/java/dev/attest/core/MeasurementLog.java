package dev.attest.core;

import dev.attest.core.MeasurementLogException.Reason;
import dev.attest.core.internal.LogFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * An append-only, hash-chained log of measurements. Each entry extends the chain:
 * {@code head_n = H(head_{n-1} || H(canonical(m_n)))}, where {@code canonical} is the
 * deterministic CBOR encoding of the measurement (RFC 8949 §4.2.1, documented in
 * {@code docs/measurement-log.md}) and {@code head_0 = H("attest.measurement-log.v1")}. A
 * verifier that knows an earlier head can check, with {@link #verify(LogHead, List, LogHead)},
 * that later entries extend it: any dropped, reordered, inserted or modified entry breaks the
 * chain.
 *
 * <p>The log keeps only the last {@code window} entries in memory. Opened on a file, it persists
 * its head and that window after every append, atomically (temporary file, fsync, rename), so a
 * restarted agent continues the same chain; a damaged file is reported as
 * {@link Reason#CORRUPT_STATE}, never silently reset. Thread-safe.
 */
public final class MeasurementLog implements AutoCloseable {
    /** Default number of entries kept in memory and in the file. */
    public static final int DEFAULT_WINDOW = 256;

    private static final byte[] GENESIS_LABEL = "attest.measurement-log.v1".getBytes(StandardCharsets.US_ASCII);

    private final DigestAlgorithm algorithm;
    private final int window;
    private final LogFile file;
    private final Deque<LogEntry> entries = new ArrayDeque<>();
    private LogHead head;
    private LogHead windowStart;

    private MeasurementLog(DigestAlgorithm algorithm, int window, LogFile file, LogHead head,
            LogHead windowStart, List<LogEntry> entries) {
        this.algorithm = algorithm;
        this.window = window;
        this.file = file;
        this.head = head;
        this.windowStart = windowStart;
        this.entries.addAll(entries);
    }

    /**
     * An empty log held in memory only.
     *
     * @param algorithm the digest algorithm of the chain
     * @param bootId the id of the current boot, recorded in the head
     * @param window how many entries to keep, 1 to 1,000,000
     * @return a log whose head is the genesis head, sequence 0
     */
    public static MeasurementLog inMemory(DigestAlgorithm algorithm, String bootId, int window) {
        checkWindow(window);
        LogHead genesis = new LogHead(0, genesis(algorithm), bootId);
        return new MeasurementLog(algorithm, window, null, genesis, genesis, List.of());
    }

    /**
     * Opens the log persisted at {@code path}, or starts a new one there. When the file was
     * written in another boot, the chain continues and the head takes the new {@code bootId}.
     * Takes an exclusive lock on {@code path + ".lock"} for as long as the log is open.
     *
     * @param path the log file
     * @param algorithm the digest algorithm of the chain; must match the file's
     * @param bootId the id of the current boot, recorded in the head
     * @param window how many entries to keep, 1 to 1,000,000
     * @return the open log; close it to release the lock
     * @throws MeasurementLogException CORRUPT_STATE for a damaged file, STATE_MISMATCH for a
     *     file of another digest algorithm, LOCKED when another process has it open, IO otherwise
     */
    public static MeasurementLog open(Path path, DigestAlgorithm algorithm, String bootId, int window)
            throws MeasurementLogException {
        checkWindow(window);
        LogFile file = LogFile.lock(path);
        try {
            LogFile.State state = file.read();
            if (state == null) {
                LogHead genesis = new LogHead(0, genesis(algorithm), bootId);
                MeasurementLog log = new MeasurementLog(algorithm, window, file, genesis, genesis, List.of());
                log.persist();
                return log;
            }
            if (state.head().head().algorithm() != algorithm) {
                throw new MeasurementLogException(Reason.STATE_MISMATCH, -1, "log file uses "
                        + state.head().head().algorithm().ianaName() + ", asked for " + algorithm.ianaName());
            }
            try {
                verify(state.windowStart(), state.entries(), state.head());
            } catch (MeasurementLogException e) {
                throw new MeasurementLogException(Reason.CORRUPT_STATE, e.index(),
                        "persisted entries do not replay to the persisted head: " + e.getMessage(), e);
            }
            List<LogEntry> kept = state.entries();
            LogHead start = state.windowStart();
            if (kept.size() > window) {
                LogEntry lastDropped = kept.get(kept.size() - window - 1);
                start = new LogHead(lastDropped.sequence(), lastDropped.head(), start.bootId());
                kept = kept.subList(kept.size() - window, kept.size());
            }
            LogHead head = new LogHead(state.head().sequence(), state.head().head(), bootId);
            MeasurementLog log = new MeasurementLog(algorithm, window, file, head, start, kept);
            if (!bootId.equals(state.head().bootId())) {
                log.persist();
            }
            return log;
        } catch (MeasurementLogException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static void checkWindow(int window) {
        if (window < 1 || window > 1_000_000) {
            throw new IllegalArgumentException("window must be 1..1000000");
        }
    }

    /**
     * {@code head_0 = H("attest.measurement-log.v1")}: where every chain starts.
     *
     * @param algorithm the digest algorithm
     * @return the genesis head digest
     */
    public static Digest genesis(DigestAlgorithm algorithm) {
        return algorithm.hash(GENESIS_LABEL);
    }

    /**
     * {@code H(canonical(m))}.
     *
     * @param algorithm the digest algorithm
     * @param m the measurement
     * @return the digest of {@code m}'s canonical encoding
     */
    public static Digest measurementDigest(DigestAlgorithm algorithm, Measurement m) {
        return algorithm.hash(m.canonicalBytes());
    }

    /**
     * The head reached from {@code since} by appending {@code measurements} in order: for each,
     * {@code head = extend(head, measurementDigest(alg, m))}. This is how a verifier replays the
     * extent an evidence carries.
     *
     * @param since the head to start from
     * @param measurements the measurements, in log order
     * @return the head after the last measurement; {@code since} if there are none
     */
    public static Digest replay(Digest since, List<Measurement> measurements) {
        MessageDigest md = since.algorithm().newMessageDigest();
        int n = since.algorithm().length();
        // head || H(m) in one buffer, hashed into its own first half: no array per step.
        byte[] buf = java.util.Arrays.copyOf(since.value(), 2 * n);
        try {
            for (Measurement m : measurements) {
                md.update(m.canonicalBytes());
                md.digest(buf, n, n);
                md.update(buf, 0, 2 * n);
                md.digest(buf, 0, n);
            }
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("a " + n + "-byte buffer is too small for " + since.algorithm(), e);
        }
        return new Digest(since.algorithm(), java.util.Arrays.copyOf(buf, n));
    }

    /**
     * {@code H(previous || measurementDigest)}.
     *
     * @param previous the previous head
     * @param measurementDigest the digest of the appended measurement
     * @return the new head, in {@code previous}'s algorithm
     */
    public static Digest extend(Digest previous, Digest measurementDigest) {
        MessageDigest md = previous.algorithm().newMessageDigest();
        md.update(previous.value());
        md.update(measurementDigest.value());
        return new Digest(previous.algorithm(), md.digest());
    }

    /**
     * The digest algorithm of this log's chain.
     *
     * @return the digest algorithm
     */
    public DigestAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * Appends one measurement and returns its entry.
     *
     * @param m the measurement to append
     * @return the entry holding {@code m}, its digest and the new head
     * @throws MeasurementLogException when the log has a file and persisting it fails; the log is then as
     *     before the call
     */
    public LogEntry append(Measurement m) throws MeasurementLogException {
        return append(List.of(m)).get(0);
    }

    /**
     * Appends measurements in order, then persists once (when the log has a file). If persisting
     * fails, the in-memory log is left as it was before the call.
     *
     * @param ms the measurements, in order
     * @return their entries, in the same order
     * @throws MeasurementLogException when the log has a file and persisting it fails; the log is then as
     *     before the call
     */
    public synchronized List<LogEntry> append(Collection<Measurement> ms) throws MeasurementLogException {
        Objects.requireNonNull(ms, "measurements");
        LogHead oldHead = head;
        LogHead oldStart = windowStart;
        List<LogEntry> oldEntries = List.copyOf(entries);
        List<LogEntry> added = new ArrayList<>(ms.size());
        for (Measurement m : ms) {
            Digest md = measurementDigest(algorithm, m);
            Digest next = extend(head.head(), md);
            LogEntry e = new LogEntry(head.sequence() + 1, m, md, next);
            entries.addLast(e);
            head = new LogHead(e.sequence(), next, head.bootId());
            added.add(e);
            while (entries.size() > window) {
                LogEntry dropped = entries.removeFirst();
                windowStart = new LogHead(dropped.sequence(), dropped.head(), windowStart.bootId());
            }
        }
        try {
            persist();
        } catch (MeasurementLogException e) {
            head = oldHead;
            windowStart = oldStart;
            entries.clear();
            entries.addAll(oldEntries);
            throw e;
        }
        return List.copyOf(added);
    }

    /**
     * The current head.
     *
     * @return the current head
     */
    public synchronized LogHead head() {
        return head;
    }

    /**
     * The head just before the oldest entry still held: where {@link #entries()} continues from.
     *
     * @return the head before the oldest held entry
     */
    public synchronized LogHead windowStart() {
        return windowStart;
    }

    /**
     * The entries still held (at most {@code window}), oldest first.
     *
     * @return the held entries, oldest first; empty if none
     */
    public synchronized List<LogEntry> entries() {
        return List.copyOf(entries);
    }

    /**
     * The held entries with a sequence number above {@code sequence}, oldest first.
     *
     * @param sequence the sequence number to continue after
     * @return the held entries after {@code sequence}, oldest first; empty if none
     */
    public synchronized List<LogEntry> entriesAfter(long sequence) {
        List<LogEntry> out = new ArrayList<>();
        for (LogEntry e : entries) {
            if (e.sequence() > sequence) {
                out.add(e);
            }
        }
        return out;
    }

    private void persist() throws MeasurementLogException {
        if (file != null) {
            file.write(new LogFile.State(head, windowStart, List.copyOf(entries)));
        }
    }

    /** Releases the file lock. The log must not be appended to afterwards. */
    @Override
    public void close() {
        if (file != null) {
            file.close();
        }
    }

    /**
     * Replays {@code entries} from the genesis head and checks they end at {@code expected}.
     *
     * @param entries the entries, from sequence 1 on
     * @param expected the head they must end at
     * @throws MeasurementLogException naming the first entry that does not check out
     */
    public static void verify(List<LogEntry> entries, LogHead expected) throws MeasurementLogException {
        verify(new LogHead(0, genesis(expected.head().algorithm()), expected.bootId()), entries, expected);
    }

    /**
     * Replays {@code entries} starting from {@code start} (a head the verifier trusts, e.g. the
     * last one it saw) and checks that they end at {@code expected}: sequence numbers follow
     * each other, every measurement hashes to its recorded digest, every head extends the
     * previous one, and the final head equals {@code expected} (compared in constant time).
     *
     * @param start the trusted head to replay from
     * @param entries the entries following {@code start}
     * @param expected the head they must end at
     * @throws MeasurementLogException SEQUENCE_GAP, MEASUREMENT_DIGEST_MISMATCH, CHAIN_BROKEN,
     *     ALGORITHM_MISMATCH or HEAD_MISMATCH, with the index of the first bad entry
     */
    public static void verify(LogHead start, List<LogEntry> entries, LogHead expected)
            throws MeasurementLogException {
        DigestAlgorithm alg = start.head().algorithm();
        if (expected.head().algorithm() != alg) {
            throw new MeasurementLogException(Reason.ALGORITHM_MISMATCH, -1,
                    "start and expected heads use different algorithms");
        }
        long seq = start.sequence();
        Digest h = start.head();
        for (int i = 0; i < entries.size(); i++) {
            LogEntry e = entries.get(i);
            if (e.head().algorithm() != alg) {
                throw new MeasurementLogException(Reason.ALGORITHM_MISMATCH, i, "entry uses "
                        + e.head().algorithm().ianaName());
            }
            if (e.sequence() != seq + 1) {
                throw new MeasurementLogException(Reason.SEQUENCE_GAP, i,
                        "expected sequence " + (seq + 1) + ", found " + e.sequence());
            }
            if (!measurementDigest(alg, e.measurement()).matches(e.measurementDigest())) {
                throw new MeasurementLogException(Reason.MEASUREMENT_DIGEST_MISMATCH, i,
                        "measurement of " + e.measurement().component() + " does not hash to the recorded digest");
            }
            Digest next = extend(h, e.measurementDigest());
            if (!next.matches(e.head())) {
                throw new MeasurementLogException(Reason.CHAIN_BROKEN, i,
                        "head does not extend the previous head");
            }
            seq = e.sequence();
            h = next;
        }
        if (seq != expected.sequence() || !h.matches(expected.head())) {
            throw new MeasurementLogException(Reason.HEAD_MISMATCH, -1, "chain ends at sequence "
                    + seq + " head " + h + ", expected sequence " + expected.sequence() + " head " + expected.head());
        }
    }
}
