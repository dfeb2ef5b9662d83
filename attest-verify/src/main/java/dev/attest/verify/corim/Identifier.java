package dev.attest.verify.corim;

import java.util.Objects;

/**
 * A CoRIM id or a CoMID tag id (draft-ietf-rats-corim {@code $corim-id-type-choice},
 * {@code $tag-id-type-choice}): a text string or a 16-byte UUID.
 *
 * @param kind which alternative
 * @param text the text ({@link Kind#TEXT}), empty otherwise
 * @param uuid the 16 bytes ({@link Kind#UUID}), empty otherwise
 */
public record Identifier(Kind kind, String text, Octets uuid) {
    /** The alternatives. */
    public enum Kind {
        /** A text string. */
        TEXT,
        /** An untagged 16-byte UUID. */
        UUID
    }

    /**
     * Validates the parts.
     *
     * @param kind which alternative
     * @param text the text ({@link Kind#TEXT}), empty otherwise
     * @param uuid the 16 bytes ({@link Kind#UUID}), empty otherwise
     */
    public Identifier {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(uuid, "uuid");
        if (kind == Kind.TEXT ? !uuid.isEmpty() : uuid.length() != 16 || !text.isEmpty()) {
            throw new IllegalArgumentException("an identifier is a text or a 16-byte uuid");
        }
    }

    /**
     * A text identifier.
     *
     * @param text the text
     * @return the identifier
     */
    public static Identifier text(String text) {
        return new Identifier(Kind.TEXT, text, Octets.empty());
    }

    /**
     * A UUID identifier.
     *
     * @param uuid the UUID bytes
     * @return the identifier
     */
    public static Identifier uuid(Octets uuid) {
        return new Identifier(Kind.UUID, "", uuid);
    }

    /** The text, or the UUID in its canonical 8-4-4-4-12 form. */
    @Override
    public String toString() {
        return kind == Kind.TEXT ? text : uuidText();
    }

    private String uuidText() {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(uuid.bytes());
        return new java.util.UUID(bb.getLong(), bb.getLong()).toString();
    }
}
