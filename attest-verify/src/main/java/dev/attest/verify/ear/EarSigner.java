package dev.attest.verify.ear;

import dev.attest.verify.internal.ear.Jws;
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
    private final Optional<Provider> provider;

    private EarSigner(EarSigningKey key, Optional<Provider> provider) {
        this.key = key;
        this.provider = provider;
    }

    /** A signer using {@code key} with the default JCA providers. */
    public static EarSigner create(EarSigningKey key) {
        return new EarSigner(Objects.requireNonNull(key, "key"), Optional.empty());
    }

    /** A signer using {@code key} through {@code provider} (e.g. an HSM's); no global registration. */
    public static EarSigner create(EarSigningKey key, Provider provider) {
        return new EarSigner(Objects.requireNonNull(key, "key"), Optional.of(Objects.requireNonNull(provider, "provider")));
    }

    /**
     * The signed EAR JWT.
     *
     * @throws EarException {@link EarException.Reason#CRYPTO_FAILURE} if the provider fails to sign
     */
    public String sign(Ear ear) throws EarException {
        byte[] payload = EarCodec.toJson(Objects.requireNonNull(ear, "ear"));
        return Jws.sign(payload, key.algorithm(), key.privateKey(), key.kid(), TYP, provider);
    }

    /** The algorithm and kid this signer uses. */
    @Override
    public String toString() {
        return "EarSigner[" + key + "]";
    }
}
