package dev.attest.evidence.internal;

import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.EvidenceException.Reason;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.KeyRequest;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.VerificationKey;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathChecker;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link KeyResolver#x509}: validates a token's {@code x5chain} to configured roots with PKIX
 * (RFC 5280 §6) and binds the leaf's key to the token's algorithm.
 *
 * <p>Without a revocation checker, the outcome of a successful validation depends only on the
 * chain's certificates, the token's {@code alg} and {@code kid}, the (fixed) roots, and whether
 * the validation time lies inside every validated certificate's validity period (RFC 5280
 * §6.1.3 (a)(2); the trust anchor's own period is not checked by PKIX). So successful
 * validations are remembered, keyed by the exact certificate encodings in order plus
 * {@code alg} and {@code kid}, with the validity window of the validated path (latest
 * {@code notBefore}, earliest {@code notAfter}). A later request for the same chain, at a time
 * inside that window, gets the very same {@link VerificationKey} (so the provider's per-key
 * precomputation is reused too); outside the window, or for any other chain, the chain is
 * validated in full again. A failure is never remembered. With a revocation checker nothing is
 * remembered: the checker is consulted for every token.
 *
 * <p>At most {@code maxEntries} chains are remembered; to add one more, an arbitrary entry (the
 * first in the map's iteration order) is dropped. Thread-safe: look-ups do not lock; inserts
 * (after a full validation) are serialized so the bound is exact.
 */
public final class X509ChainResolver implements KeyResolver {
    /** Chains remembered by {@link KeyResolver#x509} (an entry holds the chain's encodings: a few KB). */
    public static final int DEFAULT_MAX_ENTRIES = 4096;

    private final Set<TrustAnchor> anchors;
    private final List<byte[]> rootEncodings;
    private final Clock clock;
    private final Optional<PKIXCertPathChecker> revocation;
    private final int maxEntries;
    /** Validated chains; null when a revocation checker is configured (nothing is remembered). */
    private final ConcurrentHashMap<ChainKey, Validated> validated;
    private final Object insertLock = new Object();

    /**
     * A resolver for chains to {@code roots} at {@code clock}'s time, remembering up to
     * {@code maxEntries} validated chains unless {@code revocation} is present.
     *
     * @throws IllegalArgumentException if there is no root or {@code maxEntries < 1}
     */
    public X509ChainResolver(Collection<X509Certificate> roots, Clock clock,
            Optional<PKIXCertPathChecker> revocation, int maxEntries) {
        Set<TrustAnchor> a = new HashSet<>();
        List<byte[]> encodings = new ArrayList<>();
        for (X509Certificate r : roots) {
            a.add(new TrustAnchor(r, null));
            try {
                encodings.add(r.getEncoded());
            } catch (CertificateEncodingException e) {
                // As before: a root without an encoding is never recognised at the end of a chain.
            }
        }
        if (a.isEmpty()) {
            throw new IllegalArgumentException("at least one root is needed");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        this.anchors = Set.copyOf(a);
        this.rootEncodings = List.copyOf(encodings);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.revocation = Objects.requireNonNull(revocation, "revocation");
        this.maxEntries = maxEntries;
        this.validated = revocation.isPresent() ? null : new ConcurrentHashMap<>();
    }

    @Override
    public Optional<VerificationKey> resolve(KeyRequest request) throws EvidenceException {
        List<X509Certificate> chain = request.x5chain();
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        // One reading of the clock for both the window check and the validation.
        Date now;
        try {
            now = Date.from(clock.instant());
        } catch (IllegalArgumentException e) {
            throw new EvidenceException(Reason.BAD_CERTIFICATE, "the clock's time is no validation date: " + e.getMessage());
        }
        ChainKey key = validated == null ? null : ChainKey.of(chain, request.algorithm(), request.keyId());
        if (key != null) {
            Validated v = validated.get(key);
            if (v != null && v.covers(now.getTime())) {
                return Optional.of(v.key);
            }
        }
        Validated v = validate(chain, request.algorithm(), request.keyId(), now);
        return Optional.of(key == null ? v.key : remember(key, v).key);
    }

    private Validated validate(List<X509Certificate> chain, SignatureAlgorithm alg, Optional<KeyId> kid, Date now)
            throws EvidenceException {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509", Crypto.DEFAULT_PROVIDER);
            // A chain that ends in the root itself: validate up to the certificate below it.
            byte[] last = encodingOrNull(chain.get(chain.size() - 1));
            boolean endsInRoot = last != null && rootEncodings.stream().anyMatch(r -> MessageDigest.isEqual(r, last));
            List<X509Certificate> path = endsInRoot && chain.size() > 1 ? chain.subList(0, chain.size() - 1) : chain;
            CertPath cp = cf.generateCertPath(path);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setDate(now);
            params.setRevocationEnabled(false);
            revocation.ifPresent(params::addCertPathChecker);
            CertPathValidator.getInstance("PKIX", Crypto.DEFAULT_PROVIDER).validate(cp, params);
            long notBefore = Long.MIN_VALUE;
            long notAfter = Long.MAX_VALUE;
            for (X509Certificate c : path) {
                notBefore = Math.max(notBefore, c.getNotBefore().getTime());
                notAfter = Math.min(notAfter, c.getNotAfter().getTime());
            }
            return new Validated(VerificationKey.of(chain.get(0).getPublicKey(), alg, kid), notBefore, notAfter);
        } catch (GeneralSecurityException e) {
            throw new EvidenceException(Reason.BAD_CERTIFICATE, "x5chain does not validate: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new EvidenceException(Reason.KEY_ALGORITHM_MISMATCH, "leaf key: " + e.getMessage());
        }
    }

    /**
     * The entry now held for {@code key}: {@code v}, or the one another thread validated first
     * (the same certificates give the same path and window, and the same alg and kid an equal key).
     */
    private Validated remember(ChainKey key, Validated v) {
        synchronized (insertLock) {
            Validated held = validated.get(key);
            if (held != null && held.notBefore == v.notBefore && held.notAfter == v.notAfter) {
                return held;
            }
            Iterator<ChainKey> it = validated.keySet().iterator();
            while (held == null && validated.size() >= maxEntries && it.hasNext()) {
                it.next();
                it.remove();
            }
            validated.put(key, v);
            return v;
        }
    }

    private static byte[] encodingOrNull(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (CertificateEncodingException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "KeyResolver.x509[" + anchors.size() + " roots" + (validated == null ? ", revocation checked" : "") + "]";
    }

    /** A successfully validated chain: the key and the instants (ms) at which the path is valid. */
    private record Validated(VerificationKey key, long notBefore, long notAfter) {
        /** As {@link X509Certificate#checkValidity(Date)}: valid from notBefore to notAfter, both included. */
        boolean covers(long millis) {
            return millis >= notBefore && millis <= notAfter;
        }
    }

    /** The exact certificate encodings, in order, plus what {@link VerificationKey#of} binds. */
    private static final class ChainKey {
        private final byte[][] encodings;
        private final SignatureAlgorithm alg;
        private final Optional<KeyId> kid;
        private final int hash;

        private ChainKey(byte[][] encodings, SignatureAlgorithm alg, Optional<KeyId> kid) {
            this.encodings = encodings;
            this.alg = alg;
            this.kid = kid;
            this.hash = Arrays.deepHashCode(encodings) * 31 + alg.hashCode() * 17 + kid.hashCode();
        }

        /** The key, or null if a certificate has no encoding (then the chain is not remembered). */
        static ChainKey of(List<X509Certificate> chain, SignatureAlgorithm alg, Optional<KeyId> kid) {
            byte[][] encodings = new byte[chain.size()][];
            for (int i = 0; i < encodings.length; i++) {
                encodings[i] = encodingOrNull(chain.get(i));
                if (encodings[i] == null) {
                    return null;
                }
            }
            return new ChainKey(encodings, alg, kid);
        }

        @Override
        public boolean equals(Object o) {
            // Each certificate compared whole and separately: no boundary between them can shift.
            return o instanceof ChainKey k && hash == k.hash && alg == k.alg && kid.equals(k.kid)
                    && Arrays.deepEquals(encodings, k.encodings);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
