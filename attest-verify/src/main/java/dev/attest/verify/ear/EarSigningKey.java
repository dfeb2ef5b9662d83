package dev.attest.verify.ear;

import dev.attest.verify.internal.ear.JoseKeys;
import dev.attest.verify.internal.ear.Jws;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Provider;
import java.util.Objects;
import java.util.Optional;

/**
 * A private key that signs EAR JWTs, with its public half and the {@link JwsAlgorithm} both
 * imply. Construction checks that the halves belong together (by signing and verifying a
 * probe). {@link #toString()} never shows key material.
 */
public final class EarSigningKey {
    private final PrivateKey privateKey;
    private final EarVerificationKey verificationKey;

    private EarSigningKey(PrivateKey privateKey, EarVerificationKey verificationKey) {
        this.privateKey = privateKey;
        this.verificationKey = verificationKey;
    }

    /**
     * A signing key from a JCA key pair (P-256, P-384 or Ed25519), checked with the SDK's Bouncy Castle provider instance.
     *
     * @param privateKey the private key
     * @param publicKey its public key
     * @param kid the key id for the JWS header, or empty
     * @return the signing key
     * @throws EarException {@link EarException.Reason#BAD_KEY} if unsupported or the halves do not match
     */
    public static EarSigningKey of(PrivateKey privateKey, PublicKey publicKey, Optional<String> kid) throws EarException {
        return of(privateKey, publicKey, kid, Optional.empty());
    }

    /**
     * As {@link #of(PrivateKey, PublicKey, Optional)}, checking the pair with {@code provider}
     * (e.g. an HSM's, whose private keys cannot be inspected).
     *
     * @param privateKey the private key
     * @param publicKey its public key
     * @param kid the key id for the JWS header, or empty
     * @param provider the JCA provider that checks the pair, or empty for the SDK's
     * @return the signing key
     * @throws EarException as {@link #of(PrivateKey, PublicKey, Optional)}
     */
    public static EarSigningKey of(PrivateKey privateKey, PublicKey publicKey, Optional<String> kid,
            Optional<Provider> provider) throws EarException {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(provider, "provider");
        EarVerificationKey vk;
        try {
            vk = EarVerificationKey.of(publicKey, kid);
        } catch (IllegalArgumentException e) {
            throw new EarException(EarException.Reason.BAD_KEY, "", e.getMessage(), e);
        }
        Jws.checkPair(privateKey, vk.publicKey(), vk.algorithm(), provider);
        return new EarSigningKey(privateKey, vk);
    }

    /**
     * Parses a private JWK (RFC 7517; EC with {@code d} per RFC 7518 §6.2.2, OKP Ed25519 per RFC
     * 8037 §2) such as Veraison's {@code skey.json}.
     *
     * @param json the JWK text
     * @return the signing key
     * @throws EarException {@link EarException.Reason#BAD_KEY} if malformed, unsupported, without
     *         {@code d}, or if {@code d} does not belong to {@code x}/{@code y}
     */
    public static EarSigningKey fromJwk(String json) throws EarException {
        JoseKeys.Parsed p = JoseKeys.parse(Objects.requireNonNull(json, "json"));
        PrivateKey priv = p.privateKey().orElseThrow(() -> new EarException(EarException.Reason.BAD_KEY, "d",
                "not a private JWK"));
        return of(priv, p.publicKey(), p.kid());
    }

    /**
     * Reads a private JWK file (UTF-8).
     *
     * @param file the JWK file
     * @return the signing key
     * @throws EarException as {@link #fromJwk(String)}; BAD_KEY if unreadable
     */
    public static EarSigningKey readJwk(Path file) throws EarException {
        return fromJwk(JwkFiles.read(file));
    }

    /**
     * The algorithm this key signs with.
     *
     * @return the algorithm
     */
    public JwsAlgorithm algorithm() {
        return verificationKey.algorithm();
    }

    /**
     * The key id put in the JWS header, if any.
     *
     * @return the key id, or empty
     */
    public Optional<String> kid() {
        return verificationKey.kid();
    }

    /**
     * The matching verification key (to hand to relying parties).
     *
     * @return the verification key
     */
    public EarVerificationKey verificationKey() {
        return verificationKey;
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    /** The algorithm and kid only; never key material. */
    @Override
    public String toString() {
        return "EarSigningKey[" + algorithm().joseName() + kid().map(k -> ", kid=" + k).orElse("") + "]";
    }
}
