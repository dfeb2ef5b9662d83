package dev.attest.tpm;

import dev.attest.tpm.TpmFormatException.Reason;
import dev.attest.tpm.internal.Alg;
import dev.attest.tpm.internal.TpmReader;
import dev.attest.tpm.internal.TpmWriter;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;

/**
 * A TPMT_SIGNATURE (TPM 2.0 Part 2 §11.3.4) of the schemes a quote can carry here: ECDSA
 * (TPMS_SIGNATURE_ECC: hash, r, s) and RSASSA-PKCS1-v1_5 / RSA-PSS (TPMS_SIGNATURE_RSA: hash, sig).
 * Equality is over the encoding.
 *
 * @param scheme the signature scheme
 * @param hash the hash algorithm the signature was made with
 * @param ecdsaR ECDSA r (big-endian, as the TPM sent it); empty for RSA
 * @param ecdsaS ECDSA s; empty for RSA
 * @param rsaSignature the RSA signature; empty for ECDSA
 */
public record TpmtSignature(Scheme scheme, HashAlg hash, byte[] ecdsaR, byte[] ecdsaS, byte[] rsaSignature) {

    /** Signature schemes (TPMI_ALG_SIG_SCHEME) this SDK verifies. */
    public enum Scheme {
        /** TPM_ALG_ECDSA (0x0018). */
        ECDSA(Alg.ECDSA),
        /** TPM_ALG_RSASSA (0x0014), PKCS#1 v1.5. */
        RSASSA(Alg.RSASSA),
        /** TPM_ALG_RSAPSS (0x0016). */
        RSAPSS(Alg.RSAPSS);

        private final int algId;

        Scheme(int algId) {
            this.algId = algId;
        }

        /** @return the TPM_ALG_ID */
        public int algId() {
            return algId;
        }
    }

    /** Bound on r, s (P-521: 66 bytes) and on RSA signatures (4096 bits). */
    private static final int MAX_ECC = 128;
    private static final int MAX_RSA = 512;

    /**
     * Validates consistency and copies arrays.
     *
     * @param scheme the signature scheme
     * @param hash the hash algorithm the signature was made with
     * @param ecdsaR ECDSA r (big-endian, as the TPM sent it); empty for RSA
     * @param ecdsaS ECDSA s; empty for RSA
     * @param rsaSignature the RSA signature; empty for ECDSA
     */
    public TpmtSignature {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(hash, "hash");
        ecdsaR = ecdsaR.clone();
        ecdsaS = ecdsaS.clone();
        rsaSignature = rsaSignature.clone();
        boolean ecc = scheme == Scheme.ECDSA;
        if (ecc ? rsaSignature.length != 0 : ecdsaR.length + ecdsaS.length != 0) {
            throw new IllegalArgumentException("signature fields do not match scheme " + scheme);
        }
    }

    /** @return a copy of {@code ecdsaR} */
    @Override
    public byte[] ecdsaR() {
        return ecdsaR.clone();
    }

    /** @return a copy of {@code ecdsaS} */
    @Override
    public byte[] ecdsaS() {
        return ecdsaS.clone();
    }

    /** @return a copy of {@code rsaSignature} */
    @Override
    public byte[] rsaSignature() {
        return rsaSignature.clone();
    }

    /** @return the TPMT_SIGNATURE encoding */
    public byte[] encode() {
        TpmWriter w = new TpmWriter().u16(scheme.algId()).u16(hash.algId());
        if (scheme == Scheme.ECDSA) {
            w.tpm2b(ecdsaR).tpm2b(ecdsaS);
        } else {
            w.tpm2b(rsaSignature);
        }
        return w.toByteArray();
    }

    /**
     * @return for ECDSA, the signature as the DER SEQUENCE { r INTEGER, s INTEGER } JCA expects;
     *         for RSA, the signature bytes
     */
    public byte[] toJcaSignature() {
        if (scheme != Scheme.ECDSA) {
            return rsaSignature.clone();
        }
        byte[] r = new BigInteger(1, ecdsaR).toByteArray();
        byte[] s = new BigInteger(1, ecdsaS).toByteArray();
        TpmWriter w = new TpmWriter().u8(0x30);
        derLength(w, derLengthSize(r.length) + r.length + derLengthSize(s.length) + s.length + 2);
        derLength(w.u8(0x02), r.length).bytes(r);
        derLength(w.u8(0x02), s.length).bytes(s);
        return w.toByteArray();
    }

    /** The bytes of a DER length of {@code len}: short form below 128, long form above. */
    private static int derLengthSize(int len) {
        return len < 0x80 ? 1 : len < 0x100 ? 2 : 3;
    }

    private static TpmWriter derLength(TpmWriter w, int len) {
        if (len >= 0x100) {
            return w.u8(0x82).u16(len);
        }
        return len >= 0x80 ? w.u8(0x81).u8(len) : w.u8(len);
    }

    /**
     * Decodes a TPMT_SIGNATURE that fills {@code bytes} exactly.
     *
     * @param bytes the encoded TPMT_SIGNATURE
     * @return the decoded signature
     * @throws TpmFormatException TRUNCATED, TRAILING_BYTES, SIZE_LIMIT, UNKNOWN_ALGORITHM (hash),
     *         UNSUPPORTED_TYPE (scheme other than ECDSA, RSASSA, RSAPSS), INVALID_VALUE (empty r, s or signature)
     */
    public static TpmtSignature parse(byte[] bytes) throws TpmFormatException {
        TpmReader r = TpmReader.of(bytes);
        TpmtSignature s = read(r);
        r.end("TPMT_SIGNATURE");
        return s;
    }

    static TpmtSignature read(TpmReader r) throws TpmFormatException {
        long at = r.offset();
        int alg = r.u16("TPMT_SIGNATURE.sigAlg");
        Scheme scheme = Arrays.stream(Scheme.values()).filter(s -> s.algId == alg).findFirst()
                .orElseThrow(() -> new TpmFormatException(Reason.UNSUPPORTED_TYPE, at,
                        String.format("signature scheme 0x%04X", alg)));
        long hAt = r.offset();
        int hashId = r.u16("TPMT_SIGNATURE.hash");
        HashAlg hash = HashAlg.fromAlgId(hashId).orElseThrow(() -> new TpmFormatException(Reason.UNKNOWN_ALGORITHM, hAt,
                String.format("signature hash 0x%04X", hashId)));
        long vAt = r.offset();
        if (scheme == Scheme.ECDSA) {
            byte[] er = r.tpm2b(MAX_ECC, "TPMS_SIGNATURE_ECC.signatureR");
            byte[] es = r.tpm2b(MAX_ECC, "TPMS_SIGNATURE_ECC.signatureS");
            if (er.length == 0 || es.length == 0) {
                throw new TpmFormatException(Reason.INVALID_VALUE, vAt, "empty ECDSA r or s");
            }
            return new TpmtSignature(scheme, hash, er, es, new byte[0]);
        }
        byte[] sig = r.tpm2b(MAX_RSA, "TPMS_SIGNATURE_RSA.sig");
        if (sig.length == 0) {
            throw new TpmFormatException(Reason.INVALID_VALUE, vAt, "empty RSA signature");
        }
        return new TpmtSignature(scheme, hash, new byte[0], new byte[0], sig);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TpmtSignature t && Arrays.equals(encode(), t.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "TpmtSignature{" + scheme + ", " + hash + "}";
    }
}
