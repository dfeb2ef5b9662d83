package dev.attest.evidence;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link KeyResolver} gets to find the key for one token. Everything here comes from the
 * token and is not yet authenticated: a resolver uses it to <em>select</em> a key it already
 * trusts (or a chain it validates to a configured root), never to trust a key the token brings.
 *
 * @param algorithm the protected {@code alg}; the returned key must be bound to it
 * @param keyId the {@code kid} header, if present
 * @param ueid the {@code ueid} claim, if present
 * @param x5chain the {@code x5chain} certificates, leaf first; empty if absent
 */
public record KeyRequest(SignatureAlgorithm algorithm, Optional<KeyId> keyId, Optional<byte[]> ueid,
        List<X509Certificate> x5chain) {
    /**
     * Copies the parts.
     *
     * @param algorithm the protected {@code alg}
     * @param keyId the {@code kid} header, if present
     * @param ueid the {@code ueid} claim, if present
     * @param x5chain the {@code x5chain} certificates, leaf first; empty if absent
     */
    public KeyRequest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(keyId, "keyId");
        ueid = ueid.map(byte[]::clone);
        x5chain = List.copyOf(x5chain);
    }

    /**
     * A copy of the {@code ueid} claim, if present.
     *
     * @return a fresh copy of the UEID, or empty
     */
    @Override
    public Optional<byte[]> ueid() {
        return ueid.map(byte[]::clone);
    }
}
