package dev.attest.verify.ear;

import dev.attest.verify.internal.ear.JoseKeys;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Objects;
import java.util.Optional;

/**
 * A public key that verifies EAR JWTs, bound to one {@link JwsAlgorithm} (the key decides the
 * algorithm, never the token: RFC 8725 §3.1) and optionally to a key id.
 *
 * @param publicKey a P-256, P-384 or Ed25519 public key
 * @param algorithm the algorithm it verifies, which must fit the key
 * @param kid the JWS {@code kid} it answers to, non-empty when present
 */
public record EarVerificationKey(PublicKey publicKey, JwsAlgorithm algorithm, Optional<String> kid) {
    /**
     * @param publicKey a P-256, P-384 or Ed25519 public key
     * @param algorithm the algorithm it verifies, which must fit the key
     * @param kid the JWS {@code kid} it answers to, non-empty when present
     * @throws IllegalArgumentException if the key does not fit the algorithm or kid is empty
     */
    public EarVerificationKey {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(kid, "kid");
        if (JoseKeys.algorithmOf(publicKey).orElse(null) != algorithm) {
            throw new IllegalArgumentException("a " + publicKey.getAlgorithm() + " key does not fit " + algorithm.joseName());
        }
        if (kid.isPresent() && kid.get().isEmpty()) {
            throw new IllegalArgumentException("empty kid");
        }
    }

    /**
     * The key for {@code publicKey} with the algorithm its curve implies (P-256 → ES256, P-384 →
     * ES384, Ed25519 → EdDSA).
     *
     * @param publicKey the public key
     * @param kid the key id, or empty
     * @return the verification key
     * @throws IllegalArgumentException for other keys
     */
    public static EarVerificationKey of(PublicKey publicKey, Optional<String> kid) {
        JwsAlgorithm alg = JoseKeys.algorithmOf(Objects.requireNonNull(publicKey, "publicKey"))
                .orElseThrow(() -> new IllegalArgumentException("not a P-256, P-384 or Ed25519 public key"));
        return new EarVerificationKey(publicKey, alg, kid);
    }

    /**
     * Parses a public JWK (RFC 7517 §4; EC per RFC 7518 §6.2.1, OKP Ed25519 per RFC 8037 §2).
     * Coordinates must have the exact field length and lie on the curve; {@code alg}, when
     * present, must fit the curve; {@code use}, when present, must be {@code sig}.
     *
     * @param json the JWK text
     * @return the verification key
     * @throws EarException {@link EarException.Reason#BAD_KEY} if malformed or unsupported, or if it
     *         holds private material ({@code d}): a verifier's configuration must not carry the signing key
     */
    public static EarVerificationKey fromJwk(String json) throws EarException {
        JoseKeys.Parsed p = JoseKeys.parse(Objects.requireNonNull(json, "json"));
        if (p.privateKey().isPresent()) {
            throw new EarException(EarException.Reason.BAD_KEY, "d", "a verification key must not hold private material");
        }
        return new EarVerificationKey(p.publicKey(), p.algorithm(), p.kid());
    }

    /**
     * Reads a public JWK file (UTF-8).
     *
     * @param file the JWK file
     * @return the verification key
     * @throws EarException as {@link #fromJwk(String)}; BAD_KEY if unreadable
     */
    public static EarVerificationKey readJwk(Path file) throws EarException {
        return fromJwk(JwkFiles.read(file));
    }

    /**
     * This key as a public JWK (members in RFC 7638 order, then {@code kid}).
     *
     * @return the JWK text
     */
    public String toJwk() {
        return JoseKeys.toJwk(publicKey, algorithm, kid);
    }
}
