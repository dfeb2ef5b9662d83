package dev.attest.core;

/**
 * A measurement log that does not check out, or whose persisted state cannot be used.
 * {@link #reason()} says what was wrong and {@link #index()} where (the position in the list of
 * entries being verified, or -1).
 */
public final class MeasurementLogException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Reason {
        /** An entry's sequence number is not the previous one plus one (dropped, reordered or inserted entry). */
        SEQUENCE_GAP,
        /** An entry's measurement does not hash to the digest the entry records (modified measurement). */
        MEASUREMENT_DIGEST_MISMATCH,
        /** An entry's head is not H(previous head || measurement digest). */
        CHAIN_BROKEN,
        /** The replayed chain does not end at the expected head. */
        HEAD_MISMATCH,
        /** Entries or heads use different digest algorithms. */
        ALGORITHM_MISMATCH,
        /** The persisted log file is unreadable, truncated, or fails its own integrity check. */
        CORRUPT_STATE,
        /** The persisted log file belongs to another configuration (e.g. another digest algorithm). */
        STATE_MISMATCH,
        /** Another process holds the log file. */
        LOCKED,
        /** Reading or writing the log file failed. */
        IO
    }

    /** What went wrong. */
    private final Reason reason;
    /** Position of the offending entry, or -1. */
    private final int index;

    /**
     * A failure of {@code reason} at entry {@code index} (-1 when no entry is concerned).
     *
     * @param reason what went wrong
     * @param index position of the offending entry, or -1
     * @param message the detail message
     */
    public MeasurementLogException(Reason reason, int index, String message) {
        this(reason, index, message, null);
    }

    /**
     * A failure of {@code reason} at entry {@code index}, caused by {@code cause}.
     *
     * @param reason what went wrong
     * @param index position of the offending entry, or -1
     * @param message the detail message
     * @param cause the underlying failure
     */
    public MeasurementLogException(Reason reason, int index, String message, Throwable cause) {
        super(reason + (index >= 0 ? " at entry " + index : "") + ": " + message, cause);
        this.reason = reason;
        this.index = index;
    }

    /**
     * What went wrong.
     *
     * @return the reason code
     */
    public Reason reason() {
        return reason;
    }

    /**
     * Position of the offending entry in the verified list, or -1 when no entry is at fault.
     *
     * @return the entry's index, or -1
     */
    public int index() {
        return index;
    }
}
