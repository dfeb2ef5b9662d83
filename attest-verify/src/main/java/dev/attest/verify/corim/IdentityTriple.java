package dev.attest.verify.corim;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An identity triple ({@code identity-triple-record}, draft-ietf-rats-corim §5.1.8): the
 * keys that identify an environment (for instance a device identity certificate), as opposed
 * to the keys that sign its evidence.
 *
 * @param environment the environment
 * @param keys the keys, at least one
 * @param conditions the conditions under which the keys hold, if any
 */
public record IdentityTriple(Environment environment, List<CryptoKey> keys, Optional<KeyConditions> conditions) {
    /**
     * Validates the parts.
     *
     * @param environment the environment
     * @param keys the keys, at least one
     * @param conditions the conditions under which the keys hold, if any
     */
    public IdentityTriple {
        Objects.requireNonNull(environment, "environment");
        keys = List.copyOf(keys);
        Objects.requireNonNull(conditions, "conditions");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a key triple has keys");
        }
    }
}
