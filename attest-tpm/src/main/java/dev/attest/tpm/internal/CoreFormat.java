package dev.attest.tpm.internal;

import dev.attest.core.internal.proc.ProcFormatException;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;

/**
 * The failures of attest-core's parsers of the TCG event log and the IMA list (the SDK's one
 * reader of each format, shared with the device's collectors) as attest-tpm's exception, with
 * the same position (byte offset, or 1-based line number).
 */
public final class CoreFormat {
    private CoreFormat() {
    }

    /** @return {@code e} as a {@link TpmFormatException} */
    public static TpmFormatException exception(ProcFormatException e) {
        Reason r = switch (e.reason()) {
            case TRUNCATED -> Reason.TRUNCATED;
            case TOO_LARGE, LINE_TOO_LONG -> Reason.SIZE_LIMIT;
            case INVALID_SPEC_ID_EVENT -> Reason.INVALID_SPEC_ID_EVENT;
            case DIGEST_SIZE_MISMATCH, BAD_DIGEST -> Reason.DIGEST_SIZE_MISMATCH;
            case UNKNOWN_ALGORITHM -> Reason.UNKNOWN_ALGORITHM;
            case UNSUPPORTED_TEMPLATE -> Reason.UNSUPPORTED_TYPE;
            case TEMPLATE_HASH_MISMATCH -> Reason.TEMPLATE_HASH_MISMATCH;
            case MISSING_FIELD, BAD_NUMBER, BAD_HEX -> Reason.SYNTAX;
            case BAD_VALUE -> Reason.INVALID_VALUE;
        };
        String m = e.getMessage();
        String prefix = e.reason() + " at " + e.position() + ": ";
        return new TpmFormatException(r, e.position(), m.startsWith(prefix) ? m.substring(prefix.length()) : m);
    }
}
