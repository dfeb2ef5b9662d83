package dev.attest.verify.corim;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An attest-key triple ({@code attest-key-triple-record}, draft-ietf-rats-corim §5.1.9): the
 * keys with which an environment signs its evidence. For PSA: the environment's instance is the
 * instance id (a UEID), the one key the instance's IAK as a PKIX base64 public key.
 *
 * @param environment the environment
 * @param keys the keys, at least one
 * @param conditions the conditions under which the keys hold, if any
 */
public record AttestKeyTriple(Environment environment, List<CryptoKey> keys, Optional<KeyConditions> conditions) {
    /**
     * Validates the parts.
     *
     * @param environment the environment
     * @param keys the keys, at least one
     * @param conditions the conditions under which the keys hold, if any
     */
    public AttestKeyTriple {
        Objects.requireNonNull(environment, "environment");
        keys = List.copyOf(keys);
        Objects.requireNonNull(conditions, "conditions");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a key triple has keys");
        }
    }
}
