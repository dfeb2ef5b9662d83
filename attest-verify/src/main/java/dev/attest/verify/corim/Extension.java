package dev.attest.verify.corim;

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
    /** Validates the parts. */
    public Extension {
        if (key >= 0) {
            throw new IllegalArgumentException("extension keys are negative");
        }
        Objects.requireNonNull(value, "value");
    }
}
