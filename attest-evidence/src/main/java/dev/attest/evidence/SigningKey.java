package dev.attest.evidence;

import dev.attest.evidence.internal.Crypto;
import dev.attest.evidence.internal.KeyChecks;
import org.bouncycastle.jcajce.interfaces.EdDSAPrivateKey;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.math.ec.ECPoint;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Provider;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Signer} over a JCA private key: a software key, or a key in an HSM reached through a
 * PKCS#11 (or any other) provider instance. The provider is passed explicitly; nothing is
 * registered globally. {@link #toString()} names the algorithm and key id, never the key.
 */
public final class SigningKey implements Signer {
    private final PrivateKey key;
    private final SignatureAlgorithm algorithm;
    private final KeyId keyId;
    private final Provider provider;
    private final VerificationKey verificationKey;

    private SigningKey(PrivateKey key, SignatureAlgorithm algorithm, KeyId keyId, Provider provider,
            VerificationKey verificationKey) {
        this.key = key;
        this.algorithm = algorithm;
        this.keyId = keyId;
        this.provider = provider;
        this.verificationKey = verificationKey;
    }

    /**
     * A signing key over {@code key}, signing through {@code provider}.
     *
     * @param key the private key
     * @param algorithm the algorithm to sign with
     * @param keyId the key id to put in each token's header, or empty
     * @param provider the JCA provider that signs
     * @return the signing key
     * @throws IllegalArgumentException if the key does not fit the algorithm (wrong type or curve,
     *     RSA below 2048 bits)
     */
    public static SigningKey of(PrivateKey key, SignatureAlgorithm algorithm, Optional<KeyId> keyId, Provider provider) {
        check(key, algorithm);
        VerificationKey vk = publicOf(key).map(pub -> VerificationKey.of(pub, algorithm, keyId)).orElse(null);
        return new SigningKey(key, algorithm, keyId.orElse(null), Objects.requireNonNull(provider, "provider"), vk);
    }

    /**
     * The public half of a private key whose material is readable: EC ({@code Q = d·G} on the
     * key's curve), RSA with CRT parameters (modulus and public exponent), EdDSA keys of Bouncy
     * Castle. Empty for a key that stays in a token (PKCS#11, TPM) or of another kind.
     */
    private static Optional<PublicKey> publicOf(PrivateKey key) {
        try {
            if (key instanceof ECPrivateKey ec && ec.getS() != null) {
                ECPoint q = EC5Util.convertSpec(ec.getParams()).getG().multiply(ec.getS()).normalize();
                return Optional.of(KeyFactory.getInstance("EC", Crypto.DEFAULT_PROVIDER).generatePublic(
                        new ECPublicKeySpec(new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(),
                                q.getAffineYCoord().toBigInteger()), ec.getParams())));
            }
            if (key instanceof RSAPrivateCrtKey rsa && rsa.getPublicExponent() != null) {
                return Optional.of(KeyFactory.getInstance("RSA", Crypto.DEFAULT_PROVIDER)
                        .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent())));
            }
            if (key instanceof EdDSAPrivateKey ed) {
                return Optional.of(ed.getPublicKey());
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            // Not derivable here (e.g. a provider-specific key): no verification key, as documented.
        }
        return Optional.empty();
    }

    /**
     * A signing key over {@code key}, signing with the SDK's Bouncy Castle provider instance.
     *
     * @param key the private key
     * @param algorithm the algorithm to sign with
     * @param keyId the key id to put in each token's header, or empty
     * @return the signing key
     * @throws IllegalArgumentException if the key does not fit the algorithm
     */
    public static SigningKey of(PrivateKey key, SignatureAlgorithm algorithm, Optional<KeyId> keyId) {
        return of(key, algorithm, keyId, Crypto.DEFAULT_PROVIDER);
    }

    /**
     * A signing key over a key pair, signing with the SDK's Bouncy Castle provider instance.
     *
     * @param pair the key pair
     * @param algorithm the algorithm to sign with
     * @param keyId the key id to put in each token's header, or empty
     * @return the signing key, with its verification key
     */
    public static SigningKey of(KeyPair pair, SignatureAlgorithm algorithm, Optional<KeyId> keyId) {
        check(pair.getPrivate(), algorithm);
        VerificationKey vk = VerificationKey.of(pair.getPublic(), algorithm, keyId);
        return new SigningKey(pair.getPrivate(), algorithm, keyId.orElse(null), Crypto.DEFAULT_PROVIDER, vk);
    }

    /**
     * A fresh key pair for {@code algorithm} (RSA: 3072 bits), from the SDK's provider.
     *
     * @param algorithm the algorithm to generate a key for
     * @param keyId the key id to put in each token's header, or empty
     * @return the signing key, with its verification key
     */
    public static SigningKey generate(SignatureAlgorithm algorithm, Optional<KeyId> keyId) {
        try {
            KeyPairGenerator g;
            if (algorithm == SignatureAlgorithm.EDDSA) {
                g = KeyPairGenerator.getInstance("Ed25519", Crypto.DEFAULT_PROVIDER);
            } else if (algorithm == SignatureAlgorithm.PS256) {
                g = KeyPairGenerator.getInstance("RSA", Crypto.DEFAULT_PROVIDER);
                g.initialize(3072);
            } else {
                g = KeyPairGenerator.getInstance("EC", Crypto.DEFAULT_PROVIDER);
                g.initialize(new ECGenParameterSpec(algorithm.curve()));
            }
            return of(g.generateKeyPair(), algorithm, keyId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
        }
    }

    private static void check(PrivateKey key, SignatureAlgorithm algorithm) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(algorithm, "algorithm");
        String why = KeyChecks.mismatch(key, algorithm);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }

    @Override
    public SignatureAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public Optional<KeyId> keyId() {
        return Optional.ofNullable(keyId);
    }

    /**
     * The matching verification key (to enrol on the verifier): present for a key made from a
     * key pair, generated, or whose public half follows from the private key (software EC, RSA
     * and EdDSA keys, e.g. from {@link Pem#privateKey}); empty only for a key that never leaves
     * its token (PKCS#11), whose public key comes from the token or its certificate.
     *
     * @return the verification key, or empty for a key whose public half is not known
     */
    public Optional<VerificationKey> verificationKey() {
        return Optional.ofNullable(verificationKey);
    }

    /**
     * The private key, for storing it (e.g. {@link Pem#privateKey}); handle with care.
     *
     * @return the private key
     */
    public PrivateKey privateKey() {
        return key;
    }

    @Override
    public byte[] sign(byte[] toBeSigned) throws GeneralSecurityException {
        Signature s = Crypto.signature(algorithm, provider);
        s.initSign(key);
        s.update(toBeSigned);
        byte[] sig = s.sign();
        return algorithm.isEcdsa() ? Crypto.derToRaw(sig, algorithm.coordinateLength()) : sig;
    }

    @Override
    public String toString() {
        return "SigningKey[" + algorithm + (keyId == null ? "" : ", kid=" + keyId) + "]";
    }
}
