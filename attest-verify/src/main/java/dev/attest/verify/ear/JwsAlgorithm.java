package dev.attest.verify.ear;

import java.util.Optional;

/**
 * The JWS algorithms EAR JWTs may be signed with here (RFC 7518 §3.4 ECDSA, RFC 8037 §3.1
 * EdDSA with Ed25519). There is deliberately no {@code none} and no HMAC: an attestation result
 * must be verifiable by relying parties that cannot forge it.
 */
public enum JwsAlgorithm {
    /** ECDSA with P-256 and SHA-256 (RFC 7518 §3.4). */
    ES256("ES256", "SHA256withECDSAinP1363Format", "P-256", 64),
    /** ECDSA with P-384 and SHA-384 (RFC 7518 §3.4). */
    ES384("ES384", "SHA384withECDSAinP1363Format", "P-384", 96),
    /** EdDSA with Ed25519 (RFC 8037 §3.1). */
    EDDSA("EdDSA", "Ed25519", "Ed25519", 64);

    private final String joseName;
    private final String jcaName;
    private final String curve;
    private final int signatureLength;

    JwsAlgorithm(String joseName, String jcaName, String curve, int signatureLength) {
        this.joseName = joseName;
        this.jcaName = jcaName;
        this.curve = curve;
        this.signatureLength = signatureLength;
    }

    /**
     * The {@code alg} header value (e.g. {@code "ES256"}).
     *
     * @return the JOSE name
     */
    public String joseName() {
        return joseName;
    }

    /**
     * The JCA {@link java.security.Signature} algorithm (raw r||s for ECDSA, as JWS requires).
     *
     * @return the JCA name
     */
    public String jcaName() {
        return jcaName;
    }

    /**
     * The JWK {@code crv} of keys for this algorithm (RFC 7518 §6.2.1.1, RFC 8037 §2).
     *
     * @return the JWK curve name
     */
    public String curve() {
        return curve;
    }

    /**
     * The exact signature length in bytes (RFC 7518 §3.4: R and S each of the field size).
     *
     * @return the signature length in bytes
     */
    public int signatureLength() {
        return signatureLength;
    }

    /**
     * The algorithm with this exact {@code alg} value, or empty.
     *
     * @param alg the {@code alg} header value
     * @return the algorithm, or empty if {@code alg} is none of these
     */
    public static Optional<JwsAlgorithm> fromJoseName(String alg) {
        for (JwsAlgorithm a : values()) {
            if (a.joseName.equals(alg)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
