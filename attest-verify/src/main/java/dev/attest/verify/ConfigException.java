package dev.attest.verify;

import java.util.Objects;

/** Reference values or a policy that cannot be loaded or used; {@link #reason()} says why. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Reason {
        /** Larger than the limit (1 MiB) or nested deeper than 32. */
        TOO_LARGE,
        /** Not JSON, trailing content, or a duplicate member name. */
        MALFORMED_JSON,
        /** The format version is missing or not supported. */
        UNSUPPORTED_VERSION,
        /** A member this format does not define. */
        UNKNOWN_FIELD,
        /** A member with a missing, wrongly typed or invalid value. */
        BAD_VALUE,
        /**
         * A policy lowers a check of the floor ({@link Checks#FLOOR}, or an appraiser's
         * {@link EvidenceAppraiser#floor()}) below contraindicated; the path names the entry
         * ({@code /severity/continuity.replay}), the message the floor check.
         */
        BELOW_FLOOR
    }

    /** What was wrong. */
    private final Reason reason;
    /** The JSON pointer of the offending member. */
    private final String path;

    /**
     * An exception at JSON path {@code path}.
     *
     * @param reason what was wrong
     * @param path the JSON pointer of the offending member
     * @param message the detail message
     */
    public ConfigException(Reason reason, String path, String message) {
        super(reason + " at " + path + ": " + message);
        this.reason = Objects.requireNonNull(reason);
        this.path = Objects.requireNonNull(path);
    }

    /**
     * What was wrong.
     *
     * @return the reason code
     */
    public Reason reason() {
        return reason;
    }

    /**
     * The JSON pointer of the offending member.
     *
     * @return the JSON pointer
     */
    public String path() {
        return path;
    }
}
