package dev.attest.core.internal.proc;

/**
 * A kernel-provided text or binary format (/proc maps, an IMA list, a boot event log) that does
 * not parse. Carries a reason code and the 1-based line number (or byte offset) where it failed,
 * so a collector can report the failure in a measurement rather than drop the input.
 */
public final class ProcFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the input was rejected. */
    public enum Reason {
        /** Fewer fields than the format requires. */
        MISSING_FIELD,
        /** A number (address, offset, PCR, length) that is not valid. */
        BAD_NUMBER,
        /** A hex string with an odd length or a non-hex character. */
        BAD_HEX,
        /** A digest field without the {@code alg:} prefix or with an unknown algorithm. */
        BAD_DIGEST,
        /** A template this parser does not know. */
        UNSUPPORTED_TEMPLATE,
        /** The template hash does not equal the hash of the template data. */
        TEMPLATE_HASH_MISMATCH,
        /** A line longer than the bound. */
        LINE_TOO_LONG,
        /** The input ends inside a structure. */
        TRUNCATED,
        /** A size or count beyond the bound. */
        TOO_LARGE,
        /** A field value the format does not allow. */
        BAD_VALUE,
        /** A digest algorithm the format does not declare or this parser does not accept. */
        UNKNOWN_ALGORITHM,
        /** A digest size that differs from its algorithm's (TCG event log Spec ID event). */
        DIGEST_SIZE_MISMATCH,
        /** The first event of a TCG event log is not a valid Spec ID event (TCG PFP §10.4.5.1). */
        INVALID_SPEC_ID_EVENT
    }

    private final Reason reason;
    private final long position;

    /**
     * @param position 1-based line number for text formats, byte offset for binary ones
     */
    public ProcFormatException(Reason reason, long position, String message) {
        super(reason + " at " + position + ": " + message);
        this.reason = reason;
        this.position = position;
    }

    public Reason reason() {
        return reason;
    }

    /** The 1-based line number (text) or byte offset (binary) of the failure. */
    public long position() {
        return position;
    }
}
