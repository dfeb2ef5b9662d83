package dev.attest.evidence;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.core.internal.cbor.CborException;
import dev.attest.evidence.EvidenceException.Reason;
import dev.attest.evidence.internal.Crypto;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;

/**
 * COSE_Key import and export (RFC 9052 §7, RFC 9053 §7): EC2 (P-256, P-384, P-521), OKP
 * (Ed25519) and RSA (RFC 8230 §4) public keys, and EC2 / OKP private keys. EC points are checked
 * to lie on their curve. The key's algorithm is its {@code alg} parameter when present (it must
 * be on the allow-list and fit the key), otherwise the one its curve implies.
 */
public final class CoseKey {
    /** A COSE_Key larger than this is refused. */
    public static final int MAX_BYTES = 4096;

    static final int KTY = 1;
    static final int KID = 2;
    static final int ALG = 3;
    static final int CRV = -1;
    static final int X = -2;
    static final int Y = -3;
    static final int D = -4;
    static final int KTY_OKP = 1;
    static final int KTY_EC2 = 2;
    static final int KTY_RSA = 3;
    static final int CRV_P256 = 1;
    static final int CRV_P384 = 2;
    static final int CRV_P521 = 3;
    static final int CRV_ED25519 = 6;

    private static final byte[] ED25519_SPKI_PREFIX = hex("302a300506032b6570032100");
    private static final byte[] ED25519_PKCS8_PREFIX = hex("302e020100300506032b657004220420");

    private CoseKey() {
    }

    /**
     * Decodes a COSE_Key into a verification key.
     *
     * @param coseKey the encoded COSE_Key (RFC 9052 §7)
     * @return the key, with its algorithm and kid
     * @throws EvidenceException if the key is malformed, not a valid point or of an algorithm
     *     outside the allow-list
     */
    public static VerificationKey verificationKey(byte[] coseKey) throws EvidenceException {
        return verificationKey(decodeMap(coseKey));
    }

    /**
     * Decodes a COSE_Key holding a private part ({@code d}) into a signing key.
     *
     * @param coseKey the encoded COSE_Key (RFC 9052 §7)
     * @return the signing key
     * @throws EvidenceException if the key is malformed or of an algorithm outside the allow-list
     */
    public static SigningKey signingKey(byte[] coseKey) throws EvidenceException {
        Cbor.Map m = decodeMap(coseKey);
        VerificationKey vk = verificationKey(m);
        byte[] d = bytes(m, D).orElseThrow(() -> new EvidenceException(Reason.BAD_KEY, "COSE_Key has no private part (d)"));
        try {
            PrivateKey priv;
            if (vk.algorithm() == SignatureAlgorithm.EDDSA) {
                if (d.length != 32) {
                    throw new EvidenceException(Reason.BAD_KEY, "Ed25519 d must be 32 bytes");
                }
                priv = KeyFactory.getInstance("Ed25519", Crypto.DEFAULT_PROVIDER)
                        .generatePrivate(new PKCS8EncodedKeySpec(concat(ED25519_PKCS8_PREFIX, d)));
            } else if (vk.algorithm().isEcdsa()) {
                ECParameterSpec spec = ((ECPublicKey) vk.publicKey()).getParams();
                priv = KeyFactory.getInstance("EC", Crypto.DEFAULT_PROVIDER)
                        .generatePrivate(new ECPrivateKeySpec(new BigInteger(1, d), spec));
            } else {
                throw new EvidenceException(Reason.BAD_KEY, "RSA private keys are imported from PKCS#8, not COSE_Key");
            }
            return SigningKey.of(new KeyPair(vk.publicKey(), priv), vk.algorithm(), vk.keyId());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new EvidenceException(Reason.BAD_KEY, "unusable private key");
        }
    }

    /**
     * Encodes the public part of {@code key} as a deterministic COSE_Key, with kid and alg.
     *
     * @param key the verification key
     * @return the COSE_Key bytes
     */
    public static byte[] encode(VerificationKey key) {
        Cbor.MapBuilder b = Cbor.map();
        PublicKey pk = key.publicKey();
        SignatureAlgorithm alg = key.algorithm();
        if (alg == SignatureAlgorithm.EDDSA) {
            byte[] spki = pk.getEncoded();
            b.put(KTY, Cbor.of(KTY_OKP)).put(CRV, Cbor.of(CRV_ED25519))
                    .put(X, Cbor.of(Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
        } else if (alg.isEcdsa()) {
            ECPublicKey ec = (ECPublicKey) pk;
            int n = alg.coordinateLength();
            int crv = alg == SignatureAlgorithm.ES256 ? CRV_P256 : alg == SignatureAlgorithm.ES384 ? CRV_P384 : CRV_P521;
            b.put(KTY, Cbor.of(KTY_EC2)).put(CRV, Cbor.of(crv))
                    .put(X, Cbor.of(fixed(ec.getW().getAffineX(), n)))
                    .put(Y, Cbor.of(fixed(ec.getW().getAffineY(), n)));
        } else {
            RSAPublicKey rsa = (RSAPublicKey) pk;
            b.put(KTY, Cbor.of(KTY_RSA)).put(-1, Cbor.of(unsigned(rsa.getModulus())))
                    .put(-2, Cbor.of(unsigned(rsa.getPublicExponent())));
        }
        key.keyId().ifPresent(k -> b.put(KID, Cbor.of(k.value())));
        b.put(ALG, Cbor.of(alg.coseId()));
        return CborEncoder.encode(b.build());
    }

    /** The verification key a decoded COSE_Key map stands for. */
    static VerificationKey verificationKey(Cbor.Map m) throws EvidenceException {
        for (Cbor.Entry e : m.entries()) {
            if (!(e.key() instanceof Cbor.Int) && !(e.key() instanceof Cbor.Text)) {
                throw new EvidenceException(Reason.BAD_KEY, "COSE_Key labels must be integers or text");
            }
        }
        long kty = integer(m, KTY).orElseThrow(() -> new EvidenceException(Reason.BAD_KEY, "COSE_Key without kty"));
        Optional<byte[]> kidBytes = bytes(m, KID);
        if (kidBytes.isPresent() && (kidBytes.get().length == 0 || kidBytes.get().length > KeyId.MAX_LENGTH)) {
            throw new EvidenceException(Reason.BAD_KEY, "COSE_Key kid must be 1.." + KeyId.MAX_LENGTH + " bytes");
        }
        Optional<KeyId> kid = kidBytes.map(KeyId::of);
        Optional<Long> algParam = integer(m, ALG);
        try {
            PublicKey pk;
            SignatureAlgorithm implied;
            if (kty == KTY_EC2) {
                long crv = integer(m, CRV).orElseThrow(() -> new EvidenceException(Reason.BAD_KEY, "EC2 key without crv"));
                implied = crv == CRV_P256 ? SignatureAlgorithm.ES256 : crv == CRV_P384 ? SignatureAlgorithm.ES384
                        : crv == CRV_P521 ? SignatureAlgorithm.ES512 : null;
                if (implied == null) {
                    throw new EvidenceException(Reason.BAD_KEY, "EC2 curve " + crv + " is not allowed");
                }
                byte[] x = bytes(m, X).orElseThrow(() -> new EvidenceException(Reason.BAD_KEY, "EC2 key without x"));
                byte[] y = bytes(m, Y).orElseThrow(() -> new EvidenceException(Reason.BAD_KEY,
                        "EC2 key without y (compressed points are not accepted)"));
                int n = implied.coordinateLength();
                if (x.length != n || y.length != n) {
                    throw new EvidenceException(Reason.BAD_KEY, "EC2 coordinates must be " + n + " bytes");
                }
                BigInteger bx = new BigInteger(1, x);
                BigInteger by = new BigInteger(1, y);
                X9ECParameters curve = CustomNamedCurves.getByName(implied.curve());
                curve.getCurve().validatePoint(bx, by);
                AlgorithmParameters ap = AlgorithmParameters.getInstance("EC", Crypto.DEFAULT_PROVIDER);
                ap.init(new ECGenParameterSpec(implied.curve()));
                pk = KeyFactory.getInstance("EC", Crypto.DEFAULT_PROVIDER).generatePublic(
                        new ECPublicKeySpec(new ECPoint(bx, by), ap.getParameterSpec(ECParameterSpec.class)));
            } else if (kty == KTY_OKP) {
                long crv = integer(m, CRV).orElseThrow(() -> new EvidenceException(Reason.BAD_KEY, "OKP key without crv"));
                if (crv != CRV_ED25519) {
                    throw new EvidenceException(Reason.BAD_KEY, "OKP curve " + crv + " is not allowed");
                }
                byte[] x = bytes(m, X).orElseThrow(() -> new EvidenceException(Reason.BAD_KEY, "OKP key without x"));
                if (x.length != 32) {
                    throw new EvidenceException(Reason.BAD_KEY, "Ed25519 x must be 32 bytes");
                }
                implied = SignatureAlgorithm.EDDSA;
                pk = KeyFactory.getInstance("Ed25519", Crypto.DEFAULT_PROVIDER)
                        .generatePublic(new X509EncodedKeySpec(concat(ED25519_SPKI_PREFIX, x)));
            } else if (kty == KTY_RSA) {
                byte[] n = bytes(m, -1).orElseThrow(() -> new EvidenceException(Reason.BAD_KEY, "RSA key without n"));
                byte[] e = bytes(m, -2).orElseThrow(() -> new EvidenceException(Reason.BAD_KEY, "RSA key without e"));
                implied = SignatureAlgorithm.PS256;
                pk = KeyFactory.getInstance("RSA", Crypto.DEFAULT_PROVIDER)
                        .generatePublic(new RSAPublicKeySpec(new BigInteger(1, n), new BigInteger(1, e)));
            } else {
                throw new EvidenceException(Reason.BAD_KEY, "key type " + kty + " is not allowed");
            }
            SignatureAlgorithm alg = implied;
            if (algParam.isPresent()) {
                alg = SignatureAlgorithm.byCoseId(algParam.get()).orElseThrow(() -> new EvidenceException(
                        Reason.ALG_NOT_ALLOWED, "COSE_Key alg " + algParam.get() + " is not allowed"));
                if (alg != implied && !(kty == KTY_RSA && alg == SignatureAlgorithm.PS256)) {
                    throw new EvidenceException(Reason.KEY_ALGORITHM_MISMATCH,
                            "COSE_Key alg " + alg + " does not fit its key (" + implied + ")");
                }
            }
            return VerificationKey.of(pk, alg, kid);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new EvidenceException(Reason.BAD_KEY, "unusable COSE_Key: " + e.getMessage());
        }
    }

    private static Cbor.Map decodeMap(byte[] coseKey) throws EvidenceException {
        try {
            Cbor c = CborDecoder.lenient(MAX_BYTES, 4, 64).decode(coseKey);
            if (!(c instanceof Cbor.Map m)) {
                throw new EvidenceException(Reason.BAD_KEY, "a COSE_Key is a map");
            }
            return m;
        } catch (CborException e) {
            throw new EvidenceException(Reason.BAD_KEY, "COSE_Key is not valid CBOR: " + e.getMessage());
        }
    }

    private static Optional<Long> integer(Cbor.Map m, long label) throws EvidenceException {
        Optional<Cbor> v = m.get(label);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (!(v.get() instanceof Cbor.Int i)) {
            throw new EvidenceException(Reason.BAD_KEY, "COSE_Key parameter " + label + " must be an integer");
        }
        return Optional.of(i.value());
    }

    private static Optional<byte[]> bytes(Cbor.Map m, long label) throws EvidenceException {
        Optional<Cbor> v = m.get(label);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (!(v.get() instanceof Cbor.Bytes b)) {
            throw new EvidenceException(Reason.BAD_KEY, "COSE_Key parameter " + label + " must be a byte string");
        }
        return Optional.of(b.value());
    }

    private static byte[] fixed(BigInteger v, int n) {
        byte[] mag = unsigned(v);
        byte[] out = new byte[n];
        System.arraycopy(mag, 0, out, n - mag.length, mag.length);
        return out;
    }

    private static byte[] unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
