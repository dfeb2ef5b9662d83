package dev.attest.verify.corim;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The conditions of an attest-key or identity triple: the measured element the keys belong to
 * and the keys that authorised them. At least one part is present.
 *
 * @param key the measured element
 * @param authorizedBy the authorising keys; empty if absent
 */
public record KeyConditions(Optional<Mkey> key, List<CryptoKey> authorizedBy) {
    /**
     * Validates the parts.
     *
     * @param key the measured element
     * @param authorizedBy the authorising keys; empty if absent
     */
    public KeyConditions {
        Objects.requireNonNull(key, "key");
        authorizedBy = List.copyOf(authorizedBy);
        if (key.isEmpty() && authorizedBy.isEmpty()) {
            throw new IllegalArgumentException("key conditions are not empty");
        }
    }
}
