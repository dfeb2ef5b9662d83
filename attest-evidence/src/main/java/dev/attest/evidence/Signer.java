package dev.attest.evidence;

import java.security.GeneralSecurityException;
import java.util.Optional;

/**
 * Something that signs COSE structures: a software key ({@link SigningKey}), an HSM key reached
 * through a JCA provider, or a key that never leaves a TPM. Implementations must be
 * thread-safe or document otherwise.
 */
public interface Signer {
    /**
     * The algorithm this signer signs with; written into the protected {@code alg} header.
     *
     * @return the algorithm
     */
    SignatureAlgorithm algorithm();

    /**
     * The key id to put in the protected {@code kid} header, if any.
     *
     * @return the key id, or empty
     */
    Optional<KeyId> keyId();

    /**
     * Signs {@code toBeSigned} (the COSE Sig_structure bytes, RFC 9052 §4.4) and returns the
     * signature in COSE form: for ECDSA the fixed-length {@code r || s} (RFC 9053 §2.1), for
     * EdDSA the 64-byte signature, for PS256 the RSA-PSS signature.
     *
     * @param toBeSigned the Sig_structure bytes
     * @return the signature in COSE form
     * @throws GeneralSecurityException if the key or device refuses
     */
    byte[] sign(byte[] toBeSigned) throws GeneralSecurityException;
}
