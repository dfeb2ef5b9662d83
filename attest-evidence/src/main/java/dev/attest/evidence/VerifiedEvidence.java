package dev.attest.evidence;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A token whose signature verified, with the claims it carries and how it was verified.
 *
 * @param claims the claims
 * @param key the key the signature verified with
 * @param x5chain the certificates the token carried (leaf first), empty if none
 * @param tokenSha256 SHA-256 of the whole token, to name it in results and logs
 */
public record VerifiedEvidence(EatClaims claims, VerificationKey key, List<X509Certificate> x5chain,
        byte[] tokenSha256) {
    /**
     * Copies the parts.
     *
     * @param claims the claims
     * @param key the key the signature verified with
     * @param x5chain the certificates the token carried (leaf first), empty if none
     * @param tokenSha256 SHA-256 of the whole token
     */
    public VerifiedEvidence {
        Objects.requireNonNull(claims, "claims");
        Objects.requireNonNull(key, "key");
        x5chain = List.copyOf(x5chain);
        tokenSha256 = tokenSha256.clone();
    }

    /**
     * A copy of the SHA-256 of the whole token.
     *
     * @return a fresh copy of the 32-byte digest
     */
    @Override
    public byte[] tokenSha256() {
        return tokenSha256.clone();
    }
}
