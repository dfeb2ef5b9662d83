package dev.attest.verify.corim;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborEncoder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A field under a negative map key, which draft-ietf-rats-corim leaves to extensions
 * ({@code $$...-extension} sockets). The decoder keeps it, as the deterministic CBOR encoding
 * of its value, so that nothing is silently dropped; what it means is the profile's business.
 *
 * @param key the (negative) map key
 * @param value the value's deterministic CBOR encoding
 */
public record Extension(long key, Octets value) {
    /**
     * Validates the parts.
     *
     * @param key the (negative) map key
     * @param value the value's deterministic CBOR encoding
     */
    public Extension {
        if (key >= 0) {
            throw new IllegalArgumentException("extension keys are negative");
        }
        Objects.requireNonNull(value, "value");
    }

    /** Map keys in the order of their deterministic encodings (RFC 8949 §4.2.1), the order the encoder writes. */
    static final Comparator<Long> KEY_ORDER = Comparator.comparing(k -> CborEncoder.identity(Cbor.of(k)));

    /**
     * {@code extensions} in the order the encoder writes them, so that a model read back from its
     * encoding is equal to the one written.
     *
     * @throws IllegalArgumentException if a key appears twice
     */
    static List<Extension> canonical(List<Extension> extensions) {
        List<Extension> out = new ArrayList<>(extensions);
        out.sort(Comparator.comparing(Extension::key, KEY_ORDER));
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).key() == out.get(i - 1).key()) {
                throw new IllegalArgumentException("extension " + out.get(i).key() + " twice");
            }
        }
        return List.copyOf(out);
    }
}
