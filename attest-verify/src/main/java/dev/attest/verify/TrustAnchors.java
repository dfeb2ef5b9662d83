package dev.attest.verify;

import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.VerificationKey;
import dev.attest.evidence.VerifiedEvidence;
import java.security.cert.PKIXCertPathChecker;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which keys the verifier trusts, and which device each stands for: pinned keys per device
 * (selected by {@code kid}), or X.509 chains (in {@code x5chain}) to configured roots, where the
 * device is the leaf certificate's subject. There is no trust on first use. Immutable.
 */
public final class TrustAnchors {
    private final Map<String, VerificationKey> pinned;
    private final List<X509Certificate> roots;
    private final Optional<PKIXCertPathChecker> revocation;
    /** The device of each pinned key, by identity: the resolver hands back these very objects. */
    private final Map<VerificationKey, String> deviceByKey = new IdentityHashMap<>();

    private TrustAnchors(Map<String, VerificationKey> pinned, List<X509Certificate> roots,
            Optional<PKIXCertPathChecker> revocation) {
        this.pinned = pinned;
        this.roots = roots;
        this.revocation = revocation;
        pinned.forEach((device, key) -> deviceByKey.put(key, device));
    }

    /**
     * Pinned keys by device id. The map's key is the device's name as the verifier reports it
     * ({@link AttestationResult#device()}, the state store's key, what
     * {@link AppraisalContext#forDevice} names); it never travels in evidence. The evidence
     * selects its key by the {@code kid} in its protected header, so every key needs a distinct
     * {@link VerificationKey#keyId()}, equal to the kid the device signs with. The two may be
     * the same string, but need not be: {@code pinned(Map.of("gateway-17", key))} with a key of
     * kid {@code 3f1a...} reports evidence signed under kid {@code 3f1a...} as {@code gateway-17}.
     *
     * @param keysByDevice the pinned keys by device id
     * @return the trust anchors
     * @throws IllegalArgumentException if a key has no kid or two keys share one
     */
    public static TrustAnchors pinned(Map<String, VerificationKey> keysByDevice) {
        Map<String, VerificationKey> m = new TreeMap<>(keysByDevice);
        long distinct = m.values().stream().map(k -> k.keyId().orElseThrow(
                () -> new IllegalArgumentException("pinned key without kid: " + k))).distinct().count();
        if (distinct != m.size()) {
            throw new IllegalArgumentException("two pinned keys share a kid");
        }
        return new TrustAnchors(Map.copyOf(m), List.of(), Optional.empty());
    }

    /**
     * X.509 roots; the evidence must carry a chain to one of them (validated by
     * {@link KeyResolver#x509}). Each {@link Verifier} built with these anchors keeps its own
     * bounded cache of chains it validated, unless {@code revocation} is present, in which case
     * every evidence's chain is validated and checked for revocation in full.
     *
     * @param roots the trusted root certificates
     * @param revocation a revocation checker, or empty for none
     * @return the trust anchors
     */
    public static TrustAnchors x509(Collection<X509Certificate> roots, Optional<PKIXCertPathChecker> revocation) {
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("at least one root is needed");
        }
        return new TrustAnchors(Map.of(), List.copyOf(roots), revocation);
    }

    KeyResolver resolver(Clock clock) {
        if (!roots.isEmpty()) {
            return KeyResolver.x509(roots, clock, revocation);
        }
        return KeyResolver.byKeyId(pinned.values());
    }

    /** The device a verified evidence came from. */
    Optional<String> deviceOf(VerifiedEvidence v) {
        if (!roots.isEmpty()) {
            return v.x5chain().isEmpty() ? Optional.empty()
                    : Optional.of(v.x5chain().get(0).getSubjectX500Principal().getName());
        }
        return Optional.ofNullable(deviceByKey.get(v.key()));
    }

    @Override
    public String toString() {
        return roots.isEmpty() ? "TrustAnchors[pinned " + pinned.size() + " devices]"
                : "TrustAnchors[" + roots.size() + " X.509 roots]";
    }
}
