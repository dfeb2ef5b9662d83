package dev.attest.tpm;

import java.io.IOException;
import java.util.Objects;

/**
 * Malformed bytes: a TPM structure (TPM 2.0 Library Part 2), a TCG boot event log (TCG PC Client
 * Platform Firmware Profile §10) or an IMA measurement list that does not decode under this
 * module's strict, bounded rules. Callers branch on {@link #reason()}, never on the message.
 *
 * <p>It is an {@link IOException} so that a TPM returning malformed response bytes surfaces
 * through the same channel as a transport failure.
 */
public final class TpmFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why the bytes were rejected. */
    public enum Reason {
        /** The input ends before the structure does. */
        TRUNCATED,
        /** Bytes remain after the structure ends. */
        TRAILING_BYTES,
        /** A size or count exceeds the bound this SDK or the specification allows. */
        SIZE_LIMIT,
        /** An algorithm identifier this SDK does not know or does not accept here. */
        UNKNOWN_ALGORITHM,
        /** A structure type or selector (attestation type, key type, scheme) not supported here. */
        UNSUPPORTED_TYPE,
        /** A field holds a value the specification does not allow. */
        INVALID_VALUE,
        /** A digest's length does not match its algorithm. */
        DIGEST_SIZE_MISMATCH,
        /** A crypto-agile event log lacks a valid Spec ID event (TCG PFP §10.4.5.1). */
        INVALID_SPEC_ID_EVENT,
        /** Text input (IMA list, policy JSON) that does not follow its grammar. */
        SYNTAX,
        /** An IMA entry whose template hash does not match its template data. */
        TEMPLATE_HASH_MISMATCH
    }

    /** Why the input was rejected. */
    private final Reason reason;
    /** Byte offset (or line number for text input) of the problem, -1 if none. */
    private final long offset;

    /**
     * @param reason why the input was rejected
     * @param offset byte offset (or line number for text input) where the problem was found, -1 if none
     * @param message detail for humans
     */
    public TpmFormatException(Reason reason, long offset, String message) {
        super(Objects.requireNonNull(reason, "reason") + " at " + offset + ": " + message);
        this.reason = reason;
        this.offset = offset;
    }

    /** @return the reason code */
    public Reason reason() {
        return reason;
    }

    /** @return byte offset (line number for text input) of the problem, or -1 */
    public long offset() {
        return offset;
    }
}
