package dev.attest.tpm;

import dev.attest.tpm.TpmFormatException.Reason;
import dev.attest.tpm.internal.Alg;
import dev.attest.tpm.internal.TpmReader;
import dev.attest.tpm.internal.TpmWriter;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The public area of a TPM object, TPMT_PUBLIC (TPM 2.0 Part 2 §12.2.4), restricted to the
 * asymmetric key types attestation uses: {@link KeyType#ECC} (TPMS_ECC_PARMS, §12.2.3.6, unique =
 * TPMS_ECC_POINT) and {@link KeyType#RSA} (TPMS_RSA_PARMS, §12.2.3.5, unique =
 * TPM2B_PUBLIC_KEY_RSA). Algorithm identifiers are kept as TPM_ALG_ID values
 * ({@code 0x0010} = TPM_ALG_NULL). Equality is over the canonical encoding.
 *
 * @param type the key type
 * @param nameAlg the name algorithm
 * @param objectAttributes TPMA_OBJECT bits (§8.3)
 * @param authPolicy the policy digest, possibly empty
 * @param symmetricAlg TPMT_SYM_DEF_OBJECT.algorithm (TPM_ALG_NULL for signing keys)
 * @param symmetricKeyBits key bits if {@code symmetricAlg} is not NULL, else 0
 * @param symmetricMode mode if {@code symmetricAlg} is not NULL, else 0
 * @param schemeAlg the signing/encryption scheme (TPM_ALG_NULL if none)
 * @param schemeHashAlg the scheme's hash algorithm ID, 0 if the scheme has none
 * @param curveId TPM_ECC_CURVE for ECC keys, else 0
 * @param kdfAlg TPMT_KDF_SCHEME.scheme for ECC keys, else 0
 * @param kdfHashAlg the KDF's hash algorithm ID, 0 if none
 * @param rsaKeyBits modulus size for RSA keys, else 0
 * @param rsaExponent the exponent field for RSA keys (0 means 65537), else 0
 * @param uniqueX ECC point x, or the RSA modulus
 * @param uniqueY ECC point y; empty for RSA
 */
public record TpmtPublic(KeyType type, HashAlg nameAlg, int objectAttributes, byte[] authPolicy,
        int symmetricAlg, int symmetricKeyBits, int symmetricMode, int schemeAlg, int schemeHashAlg,
        int curveId, int kdfAlg, int kdfHashAlg, int rsaKeyBits, int rsaExponent, byte[] uniqueX, byte[] uniqueY) {

    /** TPM key types this SDK handles (TPM_ALG_ID of TPMI_ALG_PUBLIC). */
    public enum KeyType {
        /** TPM_ALG_RSA (0x0001). */
        RSA(0x0001),
        /** TPM_ALG_ECC (0x0023). */
        ECC(0x0023);

        private final int algId;

        KeyType(int algId) {
            this.algId = algId;
        }

        /** @return the TPM_ALG_ID */
        public int algId() {
            return algId;
        }
    }

    /** TPMA_OBJECT fixedTPM. */
    public static final int FIXED_TPM = 0x00000002;
    /** TPMA_OBJECT fixedParent. */
    public static final int FIXED_PARENT = 0x00000010;
    /** TPMA_OBJECT sensitiveDataOrigin. */
    public static final int SENSITIVE_DATA_ORIGIN = 0x00000020;
    /** TPMA_OBJECT userWithAuth. */
    public static final int USER_WITH_AUTH = 0x00000040;
    /** TPMA_OBJECT adminWithPolicy. */
    public static final int ADMIN_WITH_POLICY = 0x00000080;
    /** TPMA_OBJECT noDA. */
    public static final int NO_DA = 0x00000400;
    /** TPMA_OBJECT restricted. */
    public static final int RESTRICTED = 0x00010000;
    /** TPMA_OBJECT decrypt. */
    public static final int DECRYPT = 0x00020000;
    /** TPMA_OBJECT sign / encrypt. */
    public static final int SIGN = 0x00040000;

    /** TPM_ECC_NIST_P256. */
    public static final int CURVE_NIST_P256 = 0x0003;
    /** TPM_ECC_NIST_P384. */
    public static final int CURVE_NIST_P384 = 0x0004;
    /** TPM_ECC_NIST_P521. */
    public static final int CURVE_NIST_P521 = 0x0005;

    /** Bound on the encoded size (TPM2B_PUBLIC holds at most a few hundred bytes). */
    public static final int MAX_ENCODED = 2048;

    /**
     * PolicyA_SHA256 of the TCG EK Credential Profile 2.x (§B.3.3): TPM2_PolicySecret(TPM_RH_ENDORSEMENT).
     */
    private static final byte[] EK_POLICY_A_SHA256 = HexFormat.of()
            .parseHex("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");

    /**
     * Validates and copies arrays.
     *
     * @param type the key type
     * @param nameAlg the name algorithm
     * @param objectAttributes TPMA_OBJECT bits (§8.3)
     * @param authPolicy the policy digest, possibly empty
     * @param symmetricAlg TPMT_SYM_DEF_OBJECT.algorithm (TPM_ALG_NULL for signing keys)
     * @param symmetricKeyBits key bits if {@code symmetricAlg} is not NULL, else 0
     * @param symmetricMode mode if {@code symmetricAlg} is not NULL, else 0
     * @param schemeAlg the signing/encryption scheme (TPM_ALG_NULL if none)
     * @param schemeHashAlg the scheme's hash algorithm ID, 0 if the scheme has none
     * @param curveId TPM_ECC_CURVE for ECC keys, else 0
     * @param kdfAlg TPMT_KDF_SCHEME.scheme for ECC keys, else 0
     * @param kdfHashAlg the KDF's hash algorithm ID, 0 if none
     * @param rsaKeyBits modulus size for RSA keys, else 0
     * @param rsaExponent the exponent field for RSA keys (0 means 65537), else 0
     * @param uniqueX ECC point x, or the RSA modulus
     * @param uniqueY ECC point y; empty for RSA
     */
    public TpmtPublic {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(nameAlg, "nameAlg");
        authPolicy = authPolicy.clone();
        uniqueX = uniqueX.clone();
        uniqueY = uniqueY.clone();
        if (type == KeyType.RSA && uniqueY.length != 0) {
            throw new IllegalArgumentException("RSA key has no y coordinate");
        }
    }

    /** @return a copy of {@code authPolicy} */
    @Override
    public byte[] authPolicy() {
        return authPolicy.clone();
    }

    /** @return a copy of {@code uniqueX} */
    @Override
    public byte[] uniqueX() {
        return uniqueX.clone();
    }

    /** @return a copy of {@code uniqueY} */
    @Override
    public byte[] uniqueY() {
        return uniqueY.clone();
    }

    /**
     * The template of a restricted ECC P-256 signing key with scheme ECDSA-SHA256: an
     * attestation key (TPM 2.0 Part 1 §25.3.1; attributes fixedTPM, fixedParent,
     * sensitiveDataOrigin, userWithAuth, restricted, sign).
     *
     * @return the template
     */
    public static TpmtPublic akEccP256Template() {
        return new TpmtPublic(KeyType.ECC, HashAlg.SHA256,
                FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | USER_WITH_AUTH | RESTRICTED | SIGN, new byte[0],
                Alg.NULL, 0, 0, Alg.ECDSA, HashAlg.SHA256.algId(), CURVE_NIST_P256, Alg.NULL, 0, 0, 0,
                new byte[0], new byte[0]);
    }

    /**
     * The template of a restricted RSA-2048 signing key with scheme RSASSA-SHA256 (an RSA
     * attestation key; attributes as {@link #akEccP256Template()}).
     *
     * @return the template
     */
    public static TpmtPublic akRsa2048Template() {
        return new TpmtPublic(KeyType.RSA, HashAlg.SHA256,
                FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | USER_WITH_AUTH | RESTRICTED | SIGN, new byte[0],
                Alg.NULL, 0, 0, Alg.RSASSA, HashAlg.SHA256.algId(), 0, 0, 0, 2048, 0, new byte[0], new byte[0]);
    }

    /**
     * The template of an unrestricted ECC P-256 signing key with scheme ECDSA-SHA256: a key that
     * signs arbitrary digests with {@link Tpm#sign} (e.g. evidence), never quotes a verifier
     * should accept (attributes fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, sign).
     *
     * @return the template
     */
    public static TpmtPublic signingEccP256Template() {
        return new TpmtPublic(KeyType.ECC, HashAlg.SHA256,
                FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | USER_WITH_AUTH | SIGN, new byte[0],
                Alg.NULL, 0, 0, Alg.ECDSA, HashAlg.SHA256.algId(), CURVE_NIST_P256, Alg.NULL, 0, 0, 0,
                new byte[0], new byte[0]);
    }

    /**
     * A storage root key template (TCG TPM v2.0 Provisioning Guidance §7.5.1): ECC NIST P-256
     * restricted decryption key with AES-128-CFB, userWithAuth and noDA; the parent of AKs made
     * with {@link Tpm#create}.
     *
     * @return the template
     */
    public static TpmtPublic srkEccP256Template() {
        return new TpmtPublic(KeyType.ECC, HashAlg.SHA256,
                FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | USER_WITH_AUTH | NO_DA | RESTRICTED | DECRYPT, new byte[0],
                Alg.AES, 128, Alg.CFB, Alg.NULL, 0, CURVE_NIST_P256, Alg.NULL, 0, 0, 0, new byte[0], new byte[0]);
    }

    /**
     * The TCG EK Credential Profile 2.x template L-2 (ECC NIST P-256, AES-128-CFB, PolicyA_SHA256,
     * unique x and y of 32 zero bytes), §B.3.4.
     *
     * @return the template
     */
    public static TpmtPublic ekEccP256Template() {
        return new TpmtPublic(KeyType.ECC, HashAlg.SHA256, ekAttributes(), EK_POLICY_A_SHA256,
                Alg.AES, 128, Alg.CFB, Alg.NULL, 0, CURVE_NIST_P256, Alg.NULL, 0, 0, 0, new byte[32], new byte[32]);
    }

    /**
     * The TCG EK Credential Profile 2.x template L-1 (RSA 2048, AES-128-CFB, PolicyA_SHA256,
     * unique of 256 zero bytes), §B.3.3.
     *
     * @return the template
     */
    public static TpmtPublic ekRsa2048Template() {
        return new TpmtPublic(KeyType.RSA, HashAlg.SHA256, ekAttributes(), EK_POLICY_A_SHA256,
                Alg.AES, 128, Alg.CFB, Alg.NULL, 0, 0, 0, 0, 2048, 0, new byte[256], new byte[0]);
    }

    private static int ekAttributes() {
        return FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | ADMIN_WITH_POLICY | RESTRICTED | DECRYPT;
    }

    /** @return true for restricted signing keys (restricted and sign set, decrypt clear): keys that may sign quotes */
    public boolean isRestrictedSigningKey() {
        return (objectAttributes & (RESTRICTED | SIGN | DECRYPT)) == (RESTRICTED | SIGN);
    }

    /** @return the TPMT_PUBLIC encoding */
    public byte[] encode() {
        TpmWriter w = new TpmWriter();
        w.u16(type.algId()).u16(nameAlg.algId()).u32(objectAttributes).tpm2b(authPolicy);
        w.u16(symmetricAlg);
        if (symmetricAlg != Alg.NULL) {
            w.u16(symmetricKeyBits).u16(symmetricMode);
        }
        w.u16(schemeAlg);
        if (Alg.schemeHasHash(schemeAlg)) {
            w.u16(schemeHashAlg);
        }
        if (type == KeyType.ECC) {
            w.u16(curveId).u16(kdfAlg);
            if (kdfAlg != Alg.NULL) {
                w.u16(kdfHashAlg);
            }
            w.tpm2b(uniqueX).tpm2b(uniqueY);
        } else {
            w.u16(rsaKeyBits).u32(rsaExponent).tpm2b(uniqueX);
        }
        return w.toByteArray();
    }

    /** @return the TPM2B_PUBLIC encoding (UINT16 size + TPMT_PUBLIC) */
    public byte[] encodeTpm2b() {
        return new TpmWriter().tpm2b(encode()).toByteArray();
    }

    /**
     * The object's Name: nameAlg (UINT16) || H_nameAlg(TPMT_PUBLIC) (TPM 2.0 Part 1 §16).
     *
     * @return the Name
     */
    public byte[] name() {
        return new TpmWriter().u16(nameAlg.algId()).bytes(nameAlg.hash(encode())).toByteArray();
    }

    /**
     * Converts the key to a JCA public key (ECC NIST P-256/P-384/P-521, or RSA).
     *
     * @return the public key
     * @throws GeneralSecurityException if the curve is unsupported or the point or modulus is invalid
     */
    public PublicKey toPublicKey() throws GeneralSecurityException {
        if (type == KeyType.RSA) {
            if (rsaKeyBits < 1024 || uniqueX.length * 8 != rsaKeyBits || (uniqueX[0] & 0x80) == 0) {
                throw new GeneralSecurityException("RSA modulus does not have keyBits " + rsaKeyBits);
            }
            BigInteger e = BigInteger.valueOf(rsaExponent == 0 ? 65537 : Integer.toUnsignedLong(rsaExponent));
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(new BigInteger(1, uniqueX), e));
        }
        String curve = switch (curveId) {
            case CURVE_NIST_P256 -> "secp256r1";
            case CURVE_NIST_P384 -> "secp384r1";
            case CURVE_NIST_P521 -> "secp521r1";
            default -> throw new GeneralSecurityException(String.format("unsupported ECC curve 0x%04X", curveId));
        };
        AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
        ap.init(new ECGenParameterSpec(curve));
        ECParameterSpec spec = ap.getParameterSpec(ECParameterSpec.class);
        int size = (spec.getCurve().getField().getFieldSize() + 7) / 8;
        if (uniqueX.length != size || uniqueY.length != size) {
            throw new GeneralSecurityException("ECC point coordinates must be " + size + " bytes");
        }
        BigInteger x = new BigInteger(1, uniqueX);
        BigInteger y = new BigInteger(1, uniqueY);
        BigInteger p = ((java.security.spec.ECFieldFp) spec.getCurve().getField()).getP();
        // reject points off the curve (invalid-curve keys) before any use, including ECDH in MakeCredential
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0
                || !y.modPow(BigInteger.TWO, p).equals(x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(p))) {
            throw new GeneralSecurityException("ECC point is not on the curve");
        }
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), spec));
    }

    /**
     * Decodes a TPMT_PUBLIC that fills {@code bytes} exactly.
     *
     * @param bytes the encoded TPMT_PUBLIC
     * @return the decoded public area
     * @throws TpmFormatException TRUNCATED, TRAILING_BYTES, SIZE_LIMIT, UNKNOWN_ALGORITHM, UNSUPPORTED_TYPE
     */
    public static TpmtPublic parse(byte[] bytes) throws TpmFormatException {
        if (bytes.length > MAX_ENCODED) {
            throw new TpmFormatException(Reason.SIZE_LIMIT, 0, "TPMT_PUBLIC of " + bytes.length + " bytes");
        }
        TpmReader r = TpmReader.of(bytes);
        TpmtPublic p = read(r);
        r.end("TPMT_PUBLIC");
        return p;
    }

    /**
     * Decodes a TPM2B_PUBLIC (UINT16 size + TPMT_PUBLIC of exactly that size) that fills {@code bytes} exactly.
     *
     * @param bytes the encoded TPM2B_PUBLIC
     * @return the decoded public area
     * @throws TpmFormatException as {@link #parse(byte[])}
     */
    public static TpmtPublic parseTpm2b(byte[] bytes) throws TpmFormatException {
        TpmReader r = TpmReader.of(bytes);
        TpmtPublic p = readTpm2b(r);
        r.end("TPM2B_PUBLIC");
        return p;
    }

    static TpmtPublic readTpm2b(TpmReader r) throws TpmFormatException {
        long at = r.offset();
        int size = r.u16("TPM2B_PUBLIC.size");
        if (size == 0 || size > MAX_ENCODED) {
            throw new TpmFormatException(Reason.SIZE_LIMIT, at, "TPM2B_PUBLIC size " + size);
        }
        TpmReader sub = r.sub(size, "TPM2B_PUBLIC.publicArea");
        TpmtPublic p = read(sub);
        sub.end("TPM2B_PUBLIC.publicArea");
        return p;
    }

    private static HashAlg hash(TpmReader r, String what) throws TpmFormatException {
        long at = r.offset();
        int id = r.u16(what);
        return HashAlg.fromAlgId(id).orElseThrow(() -> new TpmFormatException(Reason.UNKNOWN_ALGORITHM, at,
                String.format("%s 0x%04X", what, id)));
    }

    static TpmtPublic read(TpmReader r) throws TpmFormatException {
        long at = r.offset();
        int typeId = r.u16("TPMT_PUBLIC.type");
        KeyType type;
        if (typeId == KeyType.RSA.algId()) {
            type = KeyType.RSA;
        } else if (typeId == KeyType.ECC.algId()) {
            type = KeyType.ECC;
        } else {
            throw new TpmFormatException(Reason.UNSUPPORTED_TYPE, at, String.format("object type 0x%04X", typeId));
        }
        HashAlg nameAlg = hash(r, "TPMT_PUBLIC.nameAlg");
        int attrs = r.u32("TPMT_PUBLIC.objectAttributes");
        byte[] policy = r.tpm2b(64, "TPMT_PUBLIC.authPolicy");
        long sAt = r.offset();
        int sym = r.u16("TPMT_SYM_DEF_OBJECT.algorithm");
        int symBits = 0;
        int symMode = 0;
        if (sym != Alg.NULL) {
            if (sym != Alg.AES && sym != Alg.SM4 && sym != Alg.CAMELLIA) {
                throw new TpmFormatException(Reason.UNSUPPORTED_TYPE, sAt, String.format("symmetric algorithm 0x%04X", sym));
            }
            symBits = r.u16("TPMT_SYM_DEF_OBJECT.keyBits");
            symMode = r.u16("TPMT_SYM_DEF_OBJECT.mode");
        }
        long scAt = r.offset();
        int scheme = r.u16("TPMT_PUBLIC.parameters.scheme");
        int schemeHash = 0;
        if (Alg.schemeHasHash(scheme)) {
            schemeHash = hash(r, "TPMT_PUBLIC.parameters.scheme.hashAlg").algId();
        } else if (scheme != Alg.NULL && scheme != Alg.RSAES) {
            throw new TpmFormatException(Reason.UNSUPPORTED_TYPE, scAt, String.format("key scheme 0x%04X", scheme));
        }
        if (type == KeyType.ECC) {
            int curve = r.u16("TPMS_ECC_PARMS.curveID");
            long kAt = r.offset();
            int kdf = r.u16("TPMS_ECC_PARMS.kdf.scheme");
            int kdfHash = 0;
            if (kdf != Alg.NULL) {
                if (kdf != Alg.MGF1 && kdf != Alg.KDF1_SP800_56A && kdf != Alg.KDF2 && kdf != Alg.KDF1_SP800_108) {
                    throw new TpmFormatException(Reason.UNSUPPORTED_TYPE, kAt, String.format("KDF 0x%04X", kdf));
                }
                kdfHash = hash(r, "TPMS_ECC_PARMS.kdf.hashAlg").algId();
            }
            byte[] x = r.tpm2b(128, "TPMS_ECC_POINT.x");
            byte[] y = r.tpm2b(128, "TPMS_ECC_POINT.y");
            return new TpmtPublic(type, nameAlg, attrs, policy, sym, symBits, symMode, scheme, schemeHash, curve, kdf,
                    kdfHash, 0, 0, x, y);
        }
        int bits = r.u16("TPMS_RSA_PARMS.keyBits");
        int exp = r.u32("TPMS_RSA_PARMS.exponent");
        byte[] n = r.tpm2b(512, "TPM2B_PUBLIC_KEY_RSA");
        return new TpmtPublic(type, nameAlg, attrs, policy, sym, symBits, symMode, scheme, schemeHash, 0, 0, 0, bits,
                exp, n, new byte[0]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TpmtPublic p && Arrays.equals(encode(), p.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    /** Public keys are not secret; printed as type, attributes and Name. */
    @Override
    public String toString() {
        return String.format("TpmtPublic{%s, nameAlg=%s, attributes=0x%08X, name=%s}", type, nameAlg, objectAttributes,
                HexFormat.of().formatHex(name()));
    }
}
