package dev.attest.verify.corim;

import java.util.Objects;

/**
 * A measurement's key ({@code $measured-element-type-choice}, draft-ietf-rats-corim
 * §5.1.4.1): which element of the environment the measurement is of. PSA writes
 * {@code "psa.software-component"} here.
 *
 * @param kind which alternative
 * @param text the text ({@link Kind#TEXT}), the number in decimal ({@link Kind#UINT}), the
 *     UUID in 8-4-4-4-12 form ({@link Kind#UUID}) or the OID in dotted form ({@link Kind#OID})
 * @param bytes the UUID's 16 bytes or the OID's BER content bytes; empty for text and numbers
 */
public record Mkey(Kind kind, String text, Octets bytes) {
    /** The alternatives. */
    public enum Kind {
        /** {@code tagged-oid-type}, tag 111. */
        OID,
        /** {@code tagged-uuid-type}, tag 37. */
        UUID,
        /** An unsigned integer. */
        UINT,
        /** A text string. */
        TEXT
    }

    /**
     * Validates the parts.
     *
     * @param kind which alternative
     * @param text the text ({@link Kind#TEXT}), the number in decimal ({@link Kind#UINT}), the UUID in
     *     8-4-4-4-12 form ({@link Kind#UUID}) or the OID in dotted form ({@link Kind#OID})
     * @param bytes the UUID's 16 bytes or the OID's BER content bytes; empty for text and numbers
     */
    public Mkey {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(bytes, "bytes");
        if ((kind == Kind.TEXT || kind == Kind.UINT) != bytes.isEmpty()) {
            throw new IllegalArgumentException(kind + ": bytes only for OIDs and UUIDs");
        }
        if (kind == Kind.UINT && !text.matches("0|[1-9][0-9]{0,18}")) {
            throw new IllegalArgumentException("a uint key is a non-negative decimal number");
        }
    }

    /**
     * A text key.
     *
     * @param text the text
     * @return the key
     */
    public static Mkey text(String text) {
        return new Mkey(Kind.TEXT, text, Octets.empty());
    }
}
