package dev.attest.verify.ear;

import dev.attest.verify.internal.ear.Base64Url;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;

/**
 * Veraison's {@code ear.veraison.key-attestation} appraisal extension: the attested public key
 * {@code akpub}, a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) in base64url.
 *
 * @param akpub the base64url (unpadded, canonical) SubjectPublicKeyInfo
 */
public record KeyAttestation(String akpub) {
    /**
     * @param akpub the base64url (unpadded, canonical) SubjectPublicKeyInfo
     * @throws IllegalArgumentException if {@code akpub} is not canonical base64url of a DER SEQUENCE
     */
    public KeyAttestation {
        Objects.requireNonNull(akpub, "akpub");
        byte[] der = Base64Url.decode(akpub)
                .orElseThrow(() -> new IllegalArgumentException("akpub is not canonical unpadded base64url"));
        if (!isSpki(der)) {
            throw new IllegalArgumentException("akpub is not a DER SubjectPublicKeyInfo SEQUENCE");
        }
    }

    /**
     * The attestation of {@code spkiDer}, a DER SubjectPublicKeyInfo (e.g. {@link PublicKey#getEncoded()}).
     *
     * @param spkiDer the DER SubjectPublicKeyInfo; copied
     * @return the key attestation
     */
    public static KeyAttestation of(byte[] spkiDer) {
        return new KeyAttestation(Base64Url.encode(spkiDer));
    }

    /**
     * The DER SubjectPublicKeyInfo (a fresh copy).
     *
     * @return a fresh copy of the DER bytes
     */
    public byte[] spki() {
        return Base64Url.decode(akpub).orElseThrow();
    }

    /**
     * The attested key as a JCA public key (EC, Ed25519/Ed448 or RSA, tried in that order with
     * the default providers).
     *
     * @return the public key
     * @throws EarException {@link EarException.Reason#BAD_KEY} if no key factory accepts it
     */
    public PublicKey publicKey() throws EarException {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(spki());
        for (String alg : new String[] {"EC", "EdDSA", "RSA"}) {
            try {
                return KeyFactory.getInstance(alg).generatePublic(spec);
            } catch (NoSuchAlgorithmException | InvalidKeySpecException | ClassCastException e) {
                // try the next key type
            }
        }
        throw new EarException(EarException.Reason.BAD_KEY, "ear.veraison.key-attestation.akpub",
                "not an EC, EdDSA or RSA SubjectPublicKeyInfo");
    }

    // SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE, subjectPublicKey BIT STRING } with
    // definite lengths that cover the input exactly (X.690 §8.1.3, DER); the key itself is only
    // interpreted by publicKey().
    private static boolean isSpki(byte[] d) {
        int[] outer = tlv(d, 0, d.length);
        if (outer == null || d[0] != 0x30 || outer[1] != d.length) {
            return false;
        }
        int[] alg = tlv(d, outer[0], d.length);
        if (alg == null || d[outer[0]] != 0x30) {
            return false;
        }
        int[] key = tlv(d, alg[1], d.length);
        return key != null && d[alg[1]] == 0x03 && key[1] == d.length && key[1] - key[0] >= 1;
    }

    // The content start and end of the TLV at {@code at}, or null if it does not fit before {@code limit}.
    private static int[] tlv(byte[] d, int at, int limit) {
        if (at + 2 > limit) {
            return null;
        }
        int len = d[at + 1] & 0xFF;
        int start = at + 2;
        if (len >= 0x80) {
            int n = len & 0x7F;
            if (n == 0 || n > 3 || start + n > limit) {
                return null;
            }
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (d[start + i] & 0xFF);
            }
            start += n;
        }
        return start + len <= limit ? new int[] {start, start + len} : null;
    }
}
