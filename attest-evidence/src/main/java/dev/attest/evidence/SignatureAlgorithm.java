package dev.attest.evidence;

import java.util.Optional;

/**
 * The COSE signature algorithms this SDK accepts (RFC 9053 §2, RFC 8230 §2). This enum is the
 * allow-list: there is no "none", no MAC algorithm, and no RSA PKCS#1 v1.5.
 */
public enum SignatureAlgorithm {
    /** ECDSA with SHA-256 on P-256 (RFC 9053 §2.1). */
    ES256(-7, "SHA256withECDSA", "secp256r1", 32),
    /** ECDSA with SHA-384 on P-384 (RFC 9053 §2.1). */
    ES384(-35, "SHA384withECDSA", "secp384r1", 48),
    /** ECDSA with SHA-512 on P-521 (RFC 9053 §2.1). */
    ES512(-36, "SHA512withECDSA", "secp521r1", 66),
    /** EdDSA with Ed25519, verified strictly (canonical S) (RFC 9053 §2.2). */
    EDDSA(-8, "Ed25519", "Ed25519", 32),
    /** RSASSA-PSS with SHA-256 and MGF1 with SHA-256, salt length 32 (RFC 8230 §2). */
    PS256(-37, "SHA256withRSAandMGF1", "RSA", 0);

    private final int coseId;
    private final String jcaName;
    private final String curve;
    private final int coordinateLength;

    SignatureAlgorithm(int coseId, String jcaName, String curve, int coordinateLength) {
        this.coseId = coseId;
        this.jcaName = jcaName;
        this.curve = curve;
        this.coordinateLength = coordinateLength;
    }

    /**
     * The COSE algorithm identifier (the value of the {@code alg} header).
     *
     * @return the COSE algorithm identifier
     */
    public int coseId() {
        return coseId;
    }

    /**
     * The JCA signature algorithm name.
     *
     * @return the JCA name
     */
    public String jcaName() {
        return jcaName;
    }

    /**
     * The curve name (or "RSA").
     *
     * @return the curve name, or "RSA"
     */
    public String curve() {
        return curve;
    }

    /**
     * The length in bytes of one coordinate (ECDSA: r and s are each this long in the COSE
     * signature); 0 for RSA.
     *
     * @return the coordinate length in bytes; 0 for RSA
     */
    public int coordinateLength() {
        return coordinateLength;
    }

    /**
     * Whether this is one of the ECDSA algorithms.
     *
     * @return true for ECDSA
     */
    public boolean isEcdsa() {
        return this == ES256 || this == ES384 || this == ES512;
    }

    /**
     * The allowed algorithm with COSE identifier {@code id}, if there is one.
     *
     * @param id the COSE algorithm identifier
     * @return the algorithm, or empty if {@code id} is unknown or not allowed
     */
    public static Optional<SignatureAlgorithm> byCoseId(long id) {
        for (SignatureAlgorithm a : values()) {
            if (a.coseId == id) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
