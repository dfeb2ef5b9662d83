package dev.attest.evidence;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * Encodes {@link EatClaims} as deterministic CBOR (RFC 8949 §4.2.1) and signs them as a
 * COSE_Sign1 (RFC 9052 §4.2) inside a CWT tag (RFC 8392 §6): protected header {@code alg}, the
 * signer's {@code kid} and, if configured, {@code x5chain} (RFC 9360). Immutable and thread-safe
 * when the signer is.
 */
public final class EvidenceEncoder {
    private final Signer signer;
    private final List<X509Certificate> x5chain;
    private final boolean cwtTag;

    private EvidenceEncoder(Signer signer, List<X509Certificate> x5chain, boolean cwtTag) {
        this.signer = signer;
        this.x5chain = x5chain;
        this.cwtTag = cwtTag;
    }

    /**
     * An encoder signing with {@code signer}, CWT-tagged, without certificates.
     *
     * @param signer the signer
     * @return the encoder
     */
    public static EvidenceEncoder of(Signer signer) {
        return new EvidenceEncoder(Objects.requireNonNull(signer, "signer"), List.of(), true);
    }

    /**
     * This encoder, also sending {@code chain} (leaf first) in the protected {@code x5chain}.
     *
     * @param chain the certificates, leaf first
     * @return a new encoder; this one is unchanged
     */
    public EvidenceEncoder withX5chain(List<X509Certificate> chain) {
        return new EvidenceEncoder(signer, List.copyOf(chain), cwtTag);
    }

    /**
     * This encoder, writing a bare COSE_Sign1 (tag 18) without the outer CWT tag 61.
     *
     * @return a new encoder; this one is unchanged
     */
    public EvidenceEncoder withoutCwtTag() {
        return new EvidenceEncoder(signer, x5chain, false);
    }

    /**
     * The signed token.
     *
     * @param claims the claims to sign
     * @return the encoded token
     * @throws GeneralSecurityException if the signer fails
     */
    public byte[] encode(EatClaims claims) throws GeneralSecurityException {
        return CoseSign1.sign(signer, ClaimsCodec.encode(claims), x5chain, cwtTag);
    }

    /**
     * The claims as the deterministic CBOR payload the token signs (for tests and tools).
     *
     * @param claims the claims
     * @return the payload bytes
     */
    public static byte[] payload(EatClaims claims) {
        return ClaimsCodec.encode(claims);
    }
}
