package dev.attest.verify.corim;

import dev.attest.evidence.CoseKey;
import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.VerificationKey;
import dev.attest.evidence.internal.KeyChecks;
import dev.attest.verify.corim.CorimException.Reason;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Optional;

/**
 * Turns the keys of attest-key triples into {@link VerificationKey}s: a PKIX public key in
 * base64 or PEM (tag 554), the public key of a certificate (tags 555, 562) or a COSE_Key (tag
 * 558). The algorithm is the one the key admits (P-256 ES256, P-384 ES384, P-521 ES512,
 * Ed25519 EdDSA, RSA of 2048 bits or more PS256); a key of any other kind, and thumbprints and
 * bare bytes (which are not keys), are refused with {@link Reason#UNSUPPORTED}.
 */
public final class CorimKeys {
    private CorimKeys() {
    }

    /**
     * The verification key {@code key} stands for, without a key id.
     *
     * @param path where {@code key} is, for the exception
     * @param key the CoRIM key
     * @return the verification key
     * @throws CorimException UNSUPPORTED if it is not a usable public key
     */
    public static VerificationKey verificationKey(CryptoKey key, String path) throws CorimException {
        try {
            PublicKey pk = switch (key.kind()) {
                case PKIX_BASE64_KEY -> Pem.publicKey(pem(key.text(), "PUBLIC KEY"));
                case PKIX_BASE64_CERT -> Pem.certificates(pem(key.text(), "CERTIFICATE")).get(0).getPublicKey();
                case PKIX_ASN1DER_CERT -> Pem.certificates(pem(Base64.getEncoder().encodeToString(key.bytes().bytes()),
                        "CERTIFICATE")).get(0).getPublicKey();
                case COSE_KEY -> CoseKey.verificationKey(key.bytes().bytes()).publicKey();
                default -> throw new CorimException(Reason.UNSUPPORTED, path, key.kind() + " is not a public key");
            };
            for (SignatureAlgorithm a : SignatureAlgorithm.values()) {
                if (KeyChecks.mismatch(pk, a) == null) {
                    return VerificationKey.of(pk, a, Optional.empty());
                }
            }
            throw new CorimException(Reason.UNSUPPORTED, path, "a " + pk.getAlgorithm() + " key no allowed algorithm takes");
        } catch (EvidenceException | RuntimeException e) {
            throw new CorimException(Reason.UNSUPPORTED, path, "not a usable " + key.kind() + ": " + e.getMessage(), e);
        }
    }

    /** {@code text} as PEM: as it is if it has a PEM header, else base64 put between {@code label} lines. */
    private static String pem(String text, String label) {
        if (text.contains("-----BEGIN ")) {
            return text;
        }
        String b64 = text.replace('-', '+').replace('_', '/').replaceAll("\\s", "");
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
    }
}
