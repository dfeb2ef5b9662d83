package dev.attest.core.internal.cbor;

/** A CBOR input that is not well-formed, or not acceptable under the decoder's limits. */
public final class CborException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong with the input. */
    public enum Reason {
        /** The input ended inside an item. */
        TRUNCATED,
        /** Bytes follow the single top-level item. */
        TRAILING_BYTES,
        /** The input is larger than the configured limit. */
        TOO_LARGE,
        /** Arrays, maps and tags nest deeper than the configured limit. */
        TOO_DEEP,
        /** More items than the configured limit. */
        TOO_MANY_ITEMS,
        /** A reserved or invalid initial byte, or a break code out of place. */
        MALFORMED,
        /** An indefinite-length item, which the deterministic profile forbids. */
        INDEFINITE_LENGTH,
        /** An integer, length or tag number beyond the range of a signed 64-bit value. */
        INTEGER_OUT_OF_RANGE,
        /** A text string that is not valid UTF-8. */
        INVALID_UTF8,
        /** The same key appears twice in one map. */
        DUPLICATE_KEY,
        /** The encoding is valid but not deterministic (RFC 8949 §4.2.1) where that was required. */
        NOT_DETERMINISTIC
    }

    private final Reason reason;
    private final long offset;

    public CborException(Reason reason, long offset, String message) {
        super(reason + " at byte " + offset + ": " + message);
        this.reason = reason;
        this.offset = offset;
    }

    public Reason reason() {
        return reason;
    }

    /** Byte offset in the input where the problem was found. */
    public long offset() {
        return offset;
    }
}
