package dev.attest.tpm;

import dev.attest.tpm.internal.TpmReader;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds quotes in software exactly as a TPM lays them out (TPMS_ATTEST signed by a restricted
 * signing key), so verifier tests can vary one field at a time. The IT covers real TPM quotes.
 */
public final class SoftwareQuotes {
    public final KeyPair keys;
    public final TpmtPublic ak;
    public final PcrValues pcrs;
    public final PcrSelection selection = PcrSelection.of(HashAlg.SHA256, 0, 1, 7, 10);
    public final byte[] nonce = BigInteger.valueOf(0x1234567890ABCDEFL).toByteArray();

    private SoftwareQuotes(KeyPair keys, TpmtPublic ak) {
        this.keys = keys;
        this.ak = ak;
        Map<Integer, byte[]> bank = new TreeMap<>();
        for (int i = 0; i < 24; i++) {
            byte[] v = new byte[32];
            Arrays.fill(v, (byte) (i * 7 + 1));
            bank.put(i, v);
        }
        this.pcrs = PcrValues.of(Map.of(HashAlg.SHA256, bank));
    }

    public static SoftwareQuotes ecc() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        ECPublicKey pub = (ECPublicKey) kp.getPublic();
        TpmtPublic t = TpmtPublic.akEccP256Template();
        TpmtPublic ak = new TpmtPublic(t.type(), t.nameAlg(), t.objectAttributes(), t.authPolicy(), t.symmetricAlg(),
                t.symmetricKeyBits(), t.symmetricMode(), t.schemeAlg(), t.schemeHashAlg(), t.curveId(), t.kdfAlg(),
                t.kdfHashAlg(), 0, 0, fixed(pub.getW().getAffineX(), 32), fixed(pub.getW().getAffineY(), 32));
        return new SoftwareQuotes(kp, ak);
    }

    /** An RSA-2048 restricted signing key with scheme NULL (the quote names the scheme). */
    public static SoftwareQuotes rsa() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        RSAPublicKey pub = (RSAPublicKey) kp.getPublic();
        TpmtPublic ak = new TpmtPublic(TpmtPublic.KeyType.RSA, HashAlg.SHA256,
                TpmtPublic.akEccP256Template().objectAttributes(), new byte[0], 0x0010, 0, 0, 0x0010, 0, 0, 0, 0, 2048, 0,
                fixed(pub.getModulus(), 256), new byte[0]);
        return new SoftwareQuotes(kp, ak);
    }

    public static byte[] fixed(BigInteger v, int len) {
        byte[] b = v.toByteArray();
        byte[] r = new byte[len];
        int n = Math.min(len, b.length);
        System.arraycopy(b, b.length - n, r, len - n, n);
        return r;
    }

    public TpmsAttest attest(int magic, int type, byte[] extra, byte[] pcrDigest) {
        return new TpmsAttest(magic, type, ak.name(), extra, new TpmsAttest.ClockInfo(123456789L, 3, 1, true),
                0x2020_0123_0000_0001L, selection, pcrDigest);
    }

    public TpmsAttest goodAttest() {
        return attest(TpmsAttest.TPM_GENERATED_VALUE, TpmsAttest.TPM_ST_ATTEST_QUOTE, nonce,
                HashAlg.SHA256.hash(pcrs.concatenate(selection).orElseThrow()));
    }

    public Quote sign(byte[] attestBytes, HashAlg hash) throws GeneralSecurityException {
        return sign(attestBytes, hash, keys.getPrivate());
    }

    public Quote sign(byte[] attestBytes, HashAlg hash, PrivateKey key) throws GeneralSecurityException {
        String base = hash.jcaName().replace("-", "");
        if (ak.type() == TpmtPublic.KeyType.RSA) {
            Signature s = Signature.getInstance(base + "withRSA");
            s.initSign(key);
            s.update(attestBytes);
            return new Quote(attestBytes, new TpmtSignature(TpmtSignature.Scheme.RSASSA, hash, new byte[0], new byte[0],
                    s.sign()).encode());
        }
        Signature s = Signature.getInstance(base + "withECDSA");
        s.initSign(key);
        s.update(attestBytes);
        byte[] der = s.sign();
        // DER SEQUENCE { INTEGER r, INTEGER s } -> fixed 32-byte r and s, as a TPM sends them
        try {
            TpmReader r = TpmReader.of(der);
            r.u8("seq");
            r.u8("len");
            r.u8("int");
            BigInteger rr = new BigInteger(1, r.bytes(r.u8("rlen"), "r"));
            r.u8("int");
            BigInteger ss = new BigInteger(1, r.bytes(r.u8("slen"), "s"));
            return new Quote(attestBytes, new TpmtSignature(TpmtSignature.Scheme.ECDSA, hash, fixed(rr, 32), fixed(ss, 32),
                    new byte[0]).encode());
        } catch (TpmFormatException e) {
            throw new GeneralSecurityException(e);
        }
    }

    public Quote good() throws GeneralSecurityException {
        return sign(goodAttest().encode(), HashAlg.SHA256);
    }
}
