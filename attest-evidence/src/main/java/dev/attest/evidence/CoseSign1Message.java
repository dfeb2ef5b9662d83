package dev.attest.evidence;

import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A COSE_Sign1 message (RFC 9052 §4.2) parsed under the same strict rules as evidence (one item,
 * no trailing bytes, bounded size and depth, {@code alg} protected and on the allow-list, no
 * unknown critical header, a payload present), for evidence schemes whose claims are not this
 * SDK's EAT profile (PSA attestation tokens, RFC 9783). The payload is returned as it is; what it
 * means is the scheme's business. Immutable.
 */
public final class CoseSign1Message {
    private final CoseSign1 cose;

    private CoseSign1Message(CoseSign1 cose) {
        this.cose = cose;
    }

    /**
     * Parses {@code token}: a COSE_Sign1, tagged (18, optionally inside a CWT tag 61) or not.
     *
     * @param token the token bytes
     * @param maxBytes the size limit in bytes
     * @param maxDepth the nesting limit
     * @return the parsed message, its signature not yet checked
     * @throws EvidenceException with the reason it is refused (for a COSE_Mac0, tag 17,
     *     {@link EvidenceException.Reason#NOT_COSE_SIGN1})
     */
    public static CoseSign1Message parse(byte[] token, int maxBytes, int maxDepth) throws EvidenceException {
        Objects.requireNonNull(token, "token");
        return new CoseSign1Message(CoseSign1.parse(token, maxBytes, maxDepth));
    }

    /**
     * Signs {@code payload} with {@code signer} as a tagged COSE_Sign1 (tag 18) whose protected
     * header holds {@code alg} and the signer's {@code kid}, if any.
     *
     * @param signer the signer
     * @param payload the payload
     * @return the encoded COSE_Sign1
     * @throws GeneralSecurityException if the signer fails
     */
    public static byte[] sign(Signer signer, byte[] payload) throws GeneralSecurityException {
        return CoseSign1.sign(Objects.requireNonNull(signer, "signer"), payload.clone(), List.of(), false);
    }

    /**
     * The protected {@code alg}.
     *
     * @return the algorithm
     */
    public SignatureAlgorithm algorithm() {
        return cose.algorithm;
    }

    /**
     * The {@code kid} header, if present.
     *
     * @return the key id, or empty
     */
    public Optional<KeyId> keyId() {
        return cose.keyId;
    }

    /**
     * A copy of the payload (not authenticated until {@link #verifiedBy} says so).
     *
     * @return a fresh copy of the payload
     */
    public byte[] payload() {
        return cose.payload.clone();
    }

    /**
     * Whether the signature verifies with {@code key} (RFC 9052 §4.4, empty external AAD). A key
     * for another algorithm than {@link #algorithm()} never verifies.
     *
     * @param key the key to verify with
     * @return true if the signature verifies
     */
    public boolean verifiedBy(VerificationKey key) {
        return key.algorithm() == cose.algorithm && key.verifySignature1(cose.protectedBytes, cose.payload, cose.signature);
    }

    /** Names the algorithm and payload size, never the bytes. */
    @Override
    public String toString() {
        return "CoseSign1Message[" + cose.algorithm + ", " + cose.payload.length + " byte payload]";
    }
}
