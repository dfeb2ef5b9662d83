package dev.attest.bench;

import dev.attest.evidence.SignatureAlgorithm;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The baseline: a plain JCA signature with the provider attest uses (a Bouncy Castle instance,
 * not registered globally), the same key and the same bytes, and nothing else. A fresh
 * {@link Signature} per call, as any thread-safe caller must do (attest does the same).
 */
public final class RawSignature {
    private static final Provider BC = new BouncyCastleProvider();

    private RawSignature() {
    }

    private static Signature signature(SignatureAlgorithm alg) throws GeneralSecurityException {
        Signature s = Signature.getInstance(alg.jcaName(), BC);
        if (alg == SignatureAlgorithm.PS256) {
            s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        return s;
    }

    /** The JCA signature of {@code data} (DER for ECDSA). */
    public static byte[] sign(SignatureAlgorithm alg, PrivateKey key, byte[] data) throws GeneralSecurityException {
        Signature s = signature(alg);
        s.initSign(key);
        s.update(data);
        return s.sign();
    }

    /**
     * Whether the ECDSA {@code sig} (JCA form) verifies, with the message hashed by the JDK's
     * SHA-2 (SHA instructions where the CPU has them) and the signature checked by Bouncy
     * Castle's {@code NONEwithECDSA} on that digest: the fastest ECDSA verification available to
     * a JCA caller on this machine, and the one attest's decoder uses.
     */
    public static boolean verifyPrehashed(SignatureAlgorithm alg, PublicKey key, byte[] data, byte[] sig)
            throws GeneralSecurityException {
        String hash = switch (alg) {
            case ES256 -> "SHA-256";
            case ES384 -> "SHA-384";
            case ES512 -> "SHA-512";
            default -> throw new IllegalArgumentException(alg + " is not ECDSA");
        };
        Signature s = Signature.getInstance("NONEwithECDSA", BC);
        s.initVerify(key);
        s.update(java.security.MessageDigest.getInstance(hash).digest(data));
        return s.verify(sig);
    }

    /** Whether {@code sig} (JCA form) verifies. */
    public static boolean verify(SignatureAlgorithm alg, PublicKey key, byte[] data, byte[] sig)
            throws GeneralSecurityException {
        Signature s = signature(alg);
        s.initVerify(key);
        s.update(data);
        return s.verify(sig);
    }
}
