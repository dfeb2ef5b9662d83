package dev.attest.evidence;

import dev.attest.evidence.EvidenceException.Reason;
import dev.attest.evidence.internal.Crypto;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
     * @throws EvidenceException if the request itself is unacceptable (e.g. a chain that does
     *     not validate: {@code BAD_CERTIFICATE})
     */
    Optional<VerificationKey> resolve(KeyRequest request) throws EvidenceException;

    /**
     * Selects among pinned keys by {@code kid} with a hash lookup, so the cost does not grow with
     * the fleet (a kid is a public name sent in clear in every token, so its lookup need not hide
     * its timing). A token without a {@code kid} finds no key.
     *
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

    /** Selects a pinned key by the token's {@code ueid} claim (hex of the ueid as map key). */
    static KeyResolver byUeid(Map<String, VerificationKey> keysByUeidHex) {
        Map<String, VerificationKey> pinned = Map.copyOf(keysByUeidHex);
        return request -> request.ueid()
                .map(u -> pinned.get(java.util.HexFormat.of().formatHex(u)));
    }

    /** Always the one key given; for a verifier that talks to exactly one device. */
    static KeyResolver single(VerificationKey key) {
        return request -> Optional.of(key);
    }

    /**
     * Validates the token's {@code x5chain} to one of {@code roots} (PKIX, RFC 5280, at the
     * clock's time, revocation checking off unless {@code revocation} adds a checker) and uses
     * the leaf's key with the token's algorithm.
     */
    static KeyResolver x509(Collection<X509Certificate> roots, Clock clock,
            Optional<java.security.cert.PKIXCertPathChecker> revocation) {
        Set<TrustAnchor> anchors = new HashSet<>();
        roots.forEach(r -> anchors.add(new TrustAnchor(r, null)));
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("at least one root is needed");
        }
        return request -> {
            if (request.x5chain().isEmpty()) {
                return Optional.empty();
            }
            try {
                CertificateFactory cf = CertificateFactory.getInstance("X.509", Crypto.DEFAULT_PROVIDER);
                List<X509Certificate> chain = request.x5chain();
                // A chain that ends in the root itself: validate up to the certificate below it.
                X509Certificate last = chain.get(chain.size() - 1);
                boolean endsInRoot = roots.stream().anyMatch(r -> {
                    try {
                        return MessageDigest.isEqual(r.getEncoded(), last.getEncoded());
                    } catch (GeneralSecurityException e) {
                        return false;
                    }
                });
                List<X509Certificate> path = endsInRoot && chain.size() > 1 ? chain.subList(0, chain.size() - 1) : chain;
                CertPath cp = cf.generateCertPath(path);
                PKIXParameters params = new PKIXParameters(anchors);
                params.setDate(Date.from(clock.instant()));
                params.setRevocationEnabled(false);
                revocation.ifPresent(params::addCertPathChecker);
                CertPathValidator.getInstance("PKIX", Crypto.DEFAULT_PROVIDER).validate(cp, params);
                return Optional.of(VerificationKey.of(chain.get(0).getPublicKey(), request.algorithm(), request.keyId()));
            } catch (GeneralSecurityException e) {
                throw new EvidenceException(Reason.BAD_CERTIFICATE, "x5chain does not validate: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new EvidenceException(Reason.KEY_ALGORITHM_MISMATCH, "leaf key: " + e.getMessage());
            }
        };
    }
}
