package dev.attest.bench.tpm;

import dev.attest.bench.RawSignature;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.TpmtPublic;
import dev.attest.tpm.TpmtSignature;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * An ECC P-256 attestation key in software, laid out as a TPM's: its TPMT_PUBLIC is the AK template
 * ({@link TpmtPublic#akEccP256Template()}) with this key's point, and its quote signatures are
 * TPMT_SIGNATUREs (ECDSA, SHA-256). A verifier's cost does not depend on who signed.
 */
public final class SoftwareAk {
    private final KeyPair pair;
    private final TpmtPublic publicArea;

    private SoftwareAk(KeyPair pair) {
        this.pair = pair;
        ECPublicKey w = (ECPublicKey) pair.getPublic();
        TpmtPublic t = TpmtPublic.akEccP256Template();
        this.publicArea = new TpmtPublic(t.type(), t.nameAlg(), t.objectAttributes(), t.authPolicy(), t.symmetricAlg(),
                t.symmetricKeyBits(), t.symmetricMode(), t.schemeAlg(), t.schemeHashAlg(), t.curveId(), t.kdfAlg(),
                t.kdfHashAlg(), t.rsaKeyBits(), t.rsaExponent(), fixed(w.getW().getAffineX()), fixed(w.getW().getAffineY()));
    }

    /** A fresh key (the JDK's key pair generator). */
    public static SoftwareAk generate() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return new SoftwareAk(g.generateKeyPair());
    }

    /** The AK's public area. */
    public TpmtPublic publicArea() {
        return publicArea;
    }

    /** The public key as the JDK made it. */
    public ECPublicKey jdkKey() {
        return (ECPublicKey) pair.getPublic();
    }

    /** The public key in Bouncy Castle's own class (a new instance per call: keep it). */
    public PublicKey bouncyCastleKey() throws GeneralSecurityException {
        return KeyFactory.getInstance("EC", new BouncyCastleProvider())
                .generatePublic(new X509EncodedKeySpec(pair.getPublic().getEncoded()));
    }

    /** The JCA (DER) ECDSA-SHA256 signature of {@code attest}. */
    public byte[] signDer(byte[] attest) throws GeneralSecurityException {
        return RawSignature.sign(SignatureAlgorithm.ES256, pair.getPrivate(), attest);
    }

    /** {@code der} as a TPMT_SIGNATURE (ECDSA, SHA-256, r and s as 32-byte integers). */
    public static byte[] tpmtSignature(byte[] der) {
        int i = 2;
        byte[][] rs = new byte[2][];
        for (int k = 0; k < 2; k++) {
            int len = der[i + 1];
            rs[k] = fixed(new BigInteger(1, Arrays.copyOfRange(der, i + 2, i + 2 + len)));
            i += 2 + len;
        }
        return new TpmtSignature(TpmtSignature.Scheme.ECDSA, HashAlg.SHA256, rs[0], rs[1], new byte[0]).encode();
    }

    private static byte[] fixed(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(b.length, 32);
        System.arraycopy(b, b.length - n, out, 32 - n, n);
        return out;
    }
}
