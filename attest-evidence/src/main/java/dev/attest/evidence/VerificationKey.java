package dev.attest.evidence;

import dev.attest.evidence.internal.Crypto;
import dev.attest.evidence.internal.EcdsaComb;
import dev.attest.evidence.internal.KeyChecks;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.jcajce.provider.asymmetric.util.ECUtil;

/**
 * A public key bound to exactly one {@link SignatureAlgorithm}, with an optional key id. The
 * binding is the point: a key is only ever used with the algorithm it was configured for,
 * whatever a token's header claims (no algorithm confusion).
 */
public final class VerificationKey {
    private final PublicKey key;
    /** {@code key} in the provider's own form, converted once ({@link Crypto#forProvider}). */
    private final PublicKey verifying;
    private final SignatureAlgorithm algorithm;
    private final KeyId keyId;
    private final Provider provider;
    /**
     * For an ECDSA key of the SDK's provider: the point and domain parameters that provider's
     * {@code Signature} would take from {@code verifying} on every call, taken once (see
     * {@link #verifyDigest}); null otherwise.
     */
    private final ECPublicKeyParameters ecdsa;
    /** The standard curve of {@link #ecdsa} ({@link EcdsaComb#curveOf}), or -1. */
    private final int combCurve;
    /** The ECDSA verifications so far without {@link #comb}: a count with benign races. */
    private int ecdsaVerifications;
    /** {@link #ecdsa}'s comb, built at the key's second ECDSA verification; null before. */
    private volatile EcdsaComb comb;

    private VerificationKey(PublicKey key, SignatureAlgorithm algorithm, KeyId keyId, Provider provider) {
        this.key = key;
        this.verifying = Crypto.forProvider(key, provider);
        this.algorithm = algorithm;
        this.keyId = keyId;
        this.provider = provider;
        this.ecdsa = hashesWithTheJdk() ? ecdsaParameters(verifying) : null;
        this.combCurve = ecdsa == null ? -1 : EcdsaComb.curveOf(ecdsa);
    }

    private static ECPublicKeyParameters ecdsaParameters(PublicKey key) {
        try {
            return ECUtil.generatePublicKeyParameter(key) instanceof ECPublicKeyParameters p ? p : null;
        } catch (java.security.InvalidKeyException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A verification key verifying through the SDK's Bouncy Castle provider instance.
     *
     * @param key the public key
     * @param algorithm the algorithm it verifies
     * @param keyId the key id tokens name it by, or empty
     * @return the verification key
     * @throws IllegalArgumentException if the key does not fit the algorithm
     */
    public static VerificationKey of(PublicKey key, SignatureAlgorithm algorithm, Optional<KeyId> keyId) {
        return of(key, algorithm, keyId, Crypto.DEFAULT_PROVIDER);
    }

    /**
     * A verification key verifying through {@code provider}.
     *
     * @param key the public key
     * @param algorithm the algorithm it verifies
     * @param keyId the key id tokens name it by, or empty
     * @param provider the JCA provider that verifies
     * @return the verification key
     * @throws IllegalArgumentException if the key does not fit the algorithm
     */
    public static VerificationKey of(PublicKey key, SignatureAlgorithm algorithm, Optional<KeyId> keyId,
            Provider provider) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(algorithm, "algorithm");
        String why = KeyChecks.mismatch(key, algorithm);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        return new VerificationKey(key, algorithm, keyId.orElse(null), Objects.requireNonNull(provider, "provider"));
    }

    /**
     * The algorithm this key verifies.
     *
     * @return the algorithm
     */
    public SignatureAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * The key id, if configured.
     *
     * @return the key id, or empty
     */
    public Optional<KeyId> keyId() {
        return Optional.ofNullable(keyId);
    }

    /**
     * The JCA public key.
     *
     * @return the public key
     */
    public PublicKey publicKey() {
        return key;
    }

    /**
     * SHA-256 of the SubjectPublicKeyInfo, hex: a stable fingerprint for logs and pins.
     *
     * @return the fingerprint, 64 lower-case hex digits
     */
    public String fingerprint() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether {@code signature} (COSE form, see {@link Signer#sign}) is a valid signature of
     * {@code data}. ECDSA signatures must be exactly {@code 2n} bytes; Ed25519 signatures must
     * have a canonical S (RFC 8032 §5.1.7), checked here whatever the provider does. Never throws
     * for a bad signature.
     *
     * @param data the signed bytes
     * @param signature the signature, in COSE form
     * @return true if the signature is valid
     */
    public boolean verify(byte[] data, byte[] signature) {
        if (hashesWithTheJdk()) {
            return verifyDigest(Crypto.ecdsaDigest(algorithm).newMessageDigest().digest(data), signature);
        }
        try {
            byte[] sig = signature;
            if (algorithm.isEcdsa()) {
                sig = Crypto.rawToDer(signature, algorithm.coordinateLength());
            } else if (algorithm == SignatureAlgorithm.EDDSA && !Crypto.ed25519CanonicalS(signature)) {
                return false;
            }
            Signature s = Crypto.signature(algorithm, provider);
            s.initVerify(verifying);
            s.update(data);
            return s.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            // Providers signal malformed signatures with assorted exceptions; all mean "invalid".
            return false;
        }
    }

    /**
     * {@link #verify} of a COSE_Sign1's Sig_structure for Signature1 with an empty external AAD
     * (RFC 9052 §4.4), fed to the digest part by part where this key hashes with the JDK, so the
     * Sig_structure (the whole payload again) is not built.
     */
    boolean verifySignature1(byte[] protectedBytes, byte[] payload, byte[] signature) {
        if (!hashesWithTheJdk()) {
            return verify(CoseSign1.toBeSigned(protectedBytes, new byte[0], payload), signature);
        }
        MessageDigest md = Crypto.ecdsaDigest(algorithm).newMessageDigest();
        CoseSign1.updateToBeSigned(md, protectedBytes, payload);
        return verifyDigest(md.digest(), signature);
    }

    /**
     * Whether an ECDSA key of the SDK's provider verifies over a digest taken with the JDK's
     * SHA-2, which uses the CPU's SHA instructions where it has them (Bouncy Castle's own
     * SHA-256 cost a sixth of a 6.7 kB token's verification): the same ECDSA verification
     * (FIPS 186-5 §6.4.2) over the same digest.
     */
    private boolean hashesWithTheJdk() {
        return algorithm.isEcdsa() && provider == Crypto.DEFAULT_PROVIDER;
    }

    /**
     * The ECDSA verification of {@code digest} (FIPS 186-5 §6.4.2). With the SDK's provider it
     * runs on the key parameters taken once, without the provider lookup, the key conversion and
     * a DER encoding and parsing of {@code (r, s)} per token: the first time through Bouncy
     * Castle's {@link ECDSASigner}, the engine under that provider's {@code NONEwithECDSA}; from
     * the second on, on P-256, P-384 and P-521, through the key's {@link EcdsaComb} (a key made
     * for a single token never pays for a comb's table).
     * {@code r} and {@code s} outside {@code [1, n-1]} are refused either way.
     */
    private boolean verifyDigest(byte[] digest, byte[] signature) {
        int n = algorithm.coordinateLength();
        if (ecdsa != null) {
            if (signature.length != 2 * n) {
                return false;
            }
            BigInteger r = new BigInteger(1, signature, 0, n);
            BigInteger s = new BigInteger(1, signature, n, n);
            try {
                EcdsaComb c = comb();
                if (c != null) {
                    return c.verify(digest, r, s);
                }
                ECDSASigner engine = new ECDSASigner();
                engine.init(false, ecdsa);
                return engine.verifySignature(digest, r, s);
            } catch (RuntimeException e) {
                return false;
            }
        }
        try {
            Signature s = Signature.getInstance("NONEwithECDSA", provider);
            s.initVerify(verifying);
            s.update(digest);
            return s.verify(Crypto.rawToDer(signature, n));
        } catch (GeneralSecurityException | RuntimeException e) {
            // Providers signal malformed signatures with assorted exceptions; all mean "invalid".
            return false;
        }
    }

    /** {@link #comb}, built if this is the key's second ECDSA verification or a later one. */
    private EcdsaComb comb() {
        EcdsaComb c = comb;
        if (c == null && combCurve >= 0 && ++ecdsaVerifications > 1) {
            c = EcdsaComb.of(ecdsa, combCurve);
            comb = c;
        }
        return c;
    }

    @Override
    public String toString() {
        return "VerificationKey[" + algorithm + (keyId == null ? "" : ", kid=" + keyId)
                + ", spki-sha256=" + fingerprint().substring(0, 16) + "…]";
    }
}
