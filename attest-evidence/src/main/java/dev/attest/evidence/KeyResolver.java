package dev.attest.evidence;

import dev.attest.evidence.internal.X509ChainResolver;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the verification key for a token ({@link EvidenceDecoder}). Returning empty means "no
 * key": the token is then rejected with {@code KEY_NOT_FOUND}. The key returned must be one the
 * caller trusts; its algorithm must equal the token's {@code alg}.
 */
@FunctionalInterface
public interface KeyResolver {
    /**
     * The key for the token described by {@code request}, if there is one.
     *
     * @param request what the token says about its key
     * @return the key, or empty if there is none for this token
     * @throws EvidenceException if the request itself is unacceptable (e.g. a chain that does
     *     not validate: {@code BAD_CERTIFICATE})
     */
    Optional<VerificationKey> resolve(KeyRequest request) throws EvidenceException;

    /**
     * Selects among pinned keys by {@code kid} with a hash lookup, so the cost does not grow with
     * the fleet (a kid is a public name sent in clear in every token, so its lookup need not hide
     * its timing). A token without a {@code kid} finds no key.
     *
     * @param keys the pinned keys, each with a distinct kid
     * @return the resolver
     * @throws IllegalArgumentException if a key has no kid, or two keys share one (which of them
     *     a token means would be ambiguous)
     */
    static KeyResolver byKeyId(Collection<VerificationKey> keys) {
        Map<KeyId, VerificationKey> pinned = new HashMap<>();
        for (VerificationKey k : keys) {
            KeyId kid = k.keyId().orElseThrow(() -> new IllegalArgumentException("every pinned key needs a key id: " + k));
            if (pinned.put(kid, k) != null) {
                throw new IllegalArgumentException("two pinned keys share the key id " + kid);
            }
        }
        Map<KeyId, VerificationKey> byKid = Map.copyOf(pinned);
        return request -> request.keyId().map(byKid::get);
    }

    /**
     * Selects a pinned key by the token's {@code ueid} claim (hex of the ueid as map key).
     *
     * @param keysByUeidHex the pinned keys by hex of the UEID
     * @return the resolver
     */
    static KeyResolver byUeid(Map<String, VerificationKey> keysByUeidHex) {
        Map<String, VerificationKey> pinned = Map.copyOf(keysByUeidHex);
        return request -> request.ueid()
                .map(u -> pinned.get(java.util.HexFormat.of().formatHex(u)));
    }

    /**
     * Always the one key given; for a verifier that talks to exactly one device.
     *
     * @param key the key
     * @return the resolver
     */
    static KeyResolver single(VerificationKey key) {
        return request -> Optional.of(key);
    }

    /**
     * Validates the token's {@code x5chain} to one of {@code roots} (PKIX, RFC 5280 §6, at the
     * clock's time, revocation checking off unless {@code revocation} adds a checker) and uses
     * the leaf's key with the token's algorithm. A chain whose last certificate is one of the
     * roots is validated up to the certificate below it. A token without {@code x5chain} finds
     * no key; a chain that does not validate is refused with {@code BAD_CERTIFICATE}, a leaf key
     * that does not fit the token's {@code alg} with {@code KEY_ALGORITHM_MISMATCH}.
     *
     * <p><b>Validated chains are remembered</b> when {@code revocation} is empty: the resolver
     * keeps up to 4,096 successfully validated chains (keyed by the exact encodings of all their
     * certificates, in order, and the token's {@code alg} and {@code kid}) with the validity
     * window of the validated path (the latest {@code notBefore} and earliest {@code notAfter}
     * of its certificates; PKIX does not check the root's own period). The same chain at a time
     * inside that window is answered with the very same {@link VerificationKey}, without running
     * PKIX again (and the provider's per-key precomputation is reused); at a time outside it, or
     * for any other chain, the chain is validated in full again. Refusals are never remembered.
     * When the resolver holds 4,096 chains, an arbitrary one is dropped for each new one (a few
     * KB each). The memory belongs to the returned resolver; it is safe for concurrent use.
     *
     * <p>With a {@code revocation} checker nothing is remembered: every token's chain is
     * validated in full and the checker consulted, since a certificate's revocation status can
     * change at any time.
     *
     * @param roots the trusted root certificates
     * @param clock the clock whose time the chain is validated at
     * @param revocation a revocation checker, or empty for none
     * @return the resolver
     * @throws IllegalArgumentException if {@code roots} is empty
     */
    static KeyResolver x509(Collection<X509Certificate> roots, Clock clock,
            Optional<java.security.cert.PKIXCertPathChecker> revocation) {
        return new X509ChainResolver(roots, clock, revocation, X509ChainResolver.DEFAULT_MAX_ENTRIES);
    }
}
