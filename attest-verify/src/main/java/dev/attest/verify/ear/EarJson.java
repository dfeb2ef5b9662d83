package dev.attest.verify.ear;

import dev.attest.verify.internal.ear.Node;
import dev.attest.verify.internal.ear.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A JSON value carried opaquely in an EAR: an extension claim (draft-ietf-rats-ear §3: EAR
 * is extensible, unknown claims are kept, RFC 7519 §4) or a Veraison extension object such as
 * {@code ear.veraison.annotated-evidence}. Held in a canonical compact form (object members
 * sorted by name, no insignificant whitespace, numbers as written), so equal values compare
 * equal and serialize identically.
 *
 * @param text the canonical JSON text
 */
public record EarJson(String text) {
    /** Bound on an EarJson value's size (UTF-8 bytes). */
    public static final int MAX_BYTES = 1 << 20;

    /**
     * Parses and canonicalizes {@code text} (strict JSON: UTF-8 representable, unique names,
     * depth at most 32).
     *
     * @param text the canonical JSON text
     * @throws IllegalArgumentException if {@code text} is not such a JSON value
     */
    public EarJson {
        Objects.requireNonNull(text, "text");
        try {
            text = StrictJson.canonical(StrictJson.parse(text, MAX_BYTES));
        } catch (EarException e) {
            throw new IllegalArgumentException("not a strict JSON value: " + e.getMessage(), e);
        }
    }

    /** The canonical JSON of an already parsed value. Internal to the codec. */
    static EarJson of(Node node) {
        return new EarJson(StrictJson.canonical(node));
    }

    /**
     * A JSON string value.
     *
     * @param value the string
     * @return the JSON value
     */
    public static EarJson ofString(String value) {
        return of(new Node.Str(Objects.requireNonNull(value, "value")));
    }

    /**
     * True if this value is a JSON object.
     *
     * @return true for a JSON object
     */
    public boolean isObject() {
        return text.startsWith("{");
    }

    /**
     * The canonical text as UTF-8.
     *
     * @return the canonical text's UTF-8 bytes
     */
    public byte[] utf8() {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
