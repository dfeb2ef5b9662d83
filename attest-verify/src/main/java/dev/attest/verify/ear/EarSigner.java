package dev.attest.verify.ear;

import dev.attest.evidence.internal.Crypto;
import dev.attest.verify.internal.ear.Jws;
import java.security.PrivateKey;
import java.security.Provider;
import java.util.Objects;
import java.util.Optional;

/**
 * Signs EARs as JWTs in JWS compact serialization (RFC 7519 §7.1, RFC 7515 §7.1): header
 * {@code {"alg":…,"typ":"JWT"[,"kid":…]}}, payload the {@link EarCodec} JSON. Immutable and
 * thread-safe.
 */
public final class EarSigner {
    /** The {@code typ} header value written (RFC 7519 §5.1). */
    public static final String TYP = "JWT";

    private final EarSigningKey key;
    /** The key's private half, converted once into the provider's key class where it is the SDK's. */
    private final PrivateKey signing;
    private final Optional<Provider> provider;

    private EarSigner(EarSigningKey key, Optional<Provider> provider) {
        this.key = key;
        this.provider = provider;
        this.signing = provider.isPresent() ? key.privateKey() : converted(key);
    }

    /**
     * {@code key}'s private half in the SDK provider's own key class, checked to sign for the
     * public half, or the key as it is. Bouncy Castle would otherwise convert a JDK key on every
     * signature, which costs about twice the signature.
     */
    private static PrivateKey converted(EarSigningKey key) {
        PrivateKey c = Crypto.forDefaultProvider(key.privateKey());
        if (c == key.privateKey()) {
            return c;
        }
        try {
            Jws.checkPair(c, key.verificationKey().publicKey(), key.algorithm(), Optional.empty());
            return c;
        } catch (EarException e) {
            return key.privateKey();
        }
    }

    /**
     * A signer using {@code key} through the SDK's Bouncy Castle provider instance (never
     * registered globally).
     *
     * @param key the signing key
     * @return the signer
     */
    public static EarSigner create(EarSigningKey key) {
        return new EarSigner(Objects.requireNonNull(key, "key"), Optional.empty());
    }

    /**
     * A signer using {@code key} through {@code provider} (e.g. an HSM's); no global registration.
     *
     * @param key the signing key
     * @param provider the JCA provider that signs
     * @return the signer
     */
    public static EarSigner create(EarSigningKey key, Provider provider) {
        return new EarSigner(Objects.requireNonNull(key, "key"), Optional.of(Objects.requireNonNull(provider, "provider")));
    }

    /**
     * The signed EAR JWT.
     *
     * @param ear the EAR
     * @return the JWT, compact serialization
     * @throws EarException {@link EarException.Reason#CRYPTO_FAILURE} if the provider fails to sign
     */
    public String sign(Ear ear) throws EarException {
        byte[] payload = EarCodec.toJson(Objects.requireNonNull(ear, "ear"));
        return Jws.sign(payload, key.algorithm(), signing, key.kid(), TYP, provider);
    }

    /** The algorithm and kid this signer uses. */
    @Override
    public String toString() {
        return "EarSigner[" + key + "]";
    }
}
