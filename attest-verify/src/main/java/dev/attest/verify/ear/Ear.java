package dev.attest.verify.ear;

import dev.attest.verify.internal.ear.Base64Url;
import dev.attest.verify.internal.ear.Text;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An EAT Attestation Result (draft-ietf-rats-ear §3, EAT profile {@value #PROFILE}): when it was
 * issued, which Verifier issued it, and one {@link EarAppraisal} per submodule. Immutable and
 * validated: at least one submod, times in whole seconds, strings valid Unicode.
 *
 * @param issuedAt {@code iat}, whole seconds, not before the epoch
 * @param verifierId {@code ear.verifier-id}
 * @param submods {@code submods}: appraisals by non-empty submodule name (sorted), at least one
 * @param nonce {@code eat_nonce} (RFC 9711 §4.1 in its JSON text form), 8 to 88 characters
 * @param rawEvidence {@code ear.raw-evidence}: the appraised evidence, canonical base64url
 * @param expiry {@code exp} (RFC 7519 §4.1.4), whole seconds, after {@code issuedAt}
 * @param extensions any other top-level claims, by name (sorted)
 */
public record Ear(
        Instant issuedAt,
        VerifierId verifierId,
        Map<String, EarAppraisal> submods,
        Optional<String> nonce,
        Optional<String> rawEvidence,
        Optional<Instant> expiry,
        Map<String, EarJson> extensions) {

    /** The EAT profile of EAR (draft-ietf-rats-ear §3), the value of {@code eat_profile}. */
    public static final String PROFILE = "tag:github.com,2023:veraison/ear";

    /** The latest NumericDate accepted (9999-12-31T23:59:59Z). */
    public static final long MAX_EPOCH_SECOND = 253402300799L;

    /** Claim names this record models; they cannot be extensions. */
    static final Set<String> KNOWN = Set.of("eat_profile", "iat", "ear.verifier-id", "submods", "eat_nonce",
            "ear.raw-evidence", "exp");
    /** Appraisal claims that have no place at the top level (they belong in a submod). */
    static final Set<String> MISPLACED = Set.of("ear.status", "ear.trustworthiness-vector", "ear.appraisal-policy-id");

    /**
     * Validates and copies.
     *
     * @param issuedAt {@code iat}, whole seconds, not before the epoch
     * @param verifierId {@code ear.verifier-id}
     * @param submods {@code submods}: appraisals by non-empty submodule name (sorted), at least one
     * @param nonce {@code eat_nonce} (RFC 9711 §4.1 in its JSON text form), 8 to 88 characters
     * @param rawEvidence {@code ear.raw-evidence}: the appraised evidence, canonical base64url
     * @param expiry {@code exp} (RFC 7519 §4.1.4), whole seconds, after {@code issuedAt}
     * @param extensions any other top-level claims, by name (sorted)
     * @throws IllegalArgumentException on an invalid part
     */
    public Ear {
        Objects.requireNonNull(issuedAt, "issuedAt");
        requireSeconds(issuedAt, "iat");
        Objects.requireNonNull(verifierId, "verifierId");
        Objects.requireNonNull(submods, "submods");
        if (submods.isEmpty()) {
            throw new IllegalArgumentException("submods must hold at least one appraisal");
        }
        TreeMap<String, EarAppraisal> sm = new TreeMap<>();
        for (Map.Entry<String, EarAppraisal> e : submods.entrySet()) {
            sm.put(Text.requireNonEmpty(Objects.requireNonNull(e.getKey(), "submod name"), "submod name"),
                    Objects.requireNonNull(e.getValue(), "appraisal"));
        }
        submods = Collections.unmodifiableMap(sm);
        Objects.requireNonNull(nonce, "nonce");
        nonce.ifPresent(n -> {
            if (n.length() < 8 || n.length() > 88) {
                throw new IllegalArgumentException("eat_nonce must have 8 to 88 characters, has " + n.length());
            }
            Text.requireWellFormed(n, "eat_nonce");
        });
        Objects.requireNonNull(rawEvidence, "rawEvidence");
        rawEvidence.ifPresent(r -> Base64Url.decode(r)
                .orElseThrow(() -> new IllegalArgumentException("ear.raw-evidence is not canonical unpadded base64url")));
        Objects.requireNonNull(expiry, "expiry");
        Instant iat = issuedAt;
        expiry.ifPresent(x -> {
            requireSeconds(x, "exp");
            if (!x.isAfter(iat)) {
                throw new IllegalArgumentException("exp must be after iat");
            }
        });
        extensions = EarAppraisal.copyExtensions(extensions, KNOWN, MISPLACED);
    }

    /**
     * A builder for an EAR issued at {@code issuedAt} (truncated to seconds) by {@code verifierId}.
     *
     * @param verifierId the verifier that issues the EAR
     * @param issuedAt the issue time
     * @return a new builder
     */
    public static Builder builder(VerifierId verifierId, Instant issuedAt) {
        return new Builder(verifierId, issuedAt);
    }

    /**
     * The decoded {@code ear.raw-evidence} (a fresh copy).
     *
     * @return a fresh copy of the decoded raw evidence, or empty if there is none
     */
    public Optional<byte[]> rawEvidenceBytes() {
        return rawEvidence.map(r -> Base64Url.decode(r).orElseThrow());
    }

    /**
     * True if this EAR carries {@code eat_nonce} equal to {@code expected}, compared in constant
     * time over the UTF-8 bytes (so a relying party can bind the result to its challenge).
     *
     * @param expected the nonce the relying party sent
     * @return true if {@code eat_nonce} is present and equal to {@code expected}
     */
    public boolean nonceMatches(String expected) {
        Objects.requireNonNull(expected, "expected");
        return nonce.isPresent() && MessageDigest.isEqual(
                nonce.get().getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The worst {@code ear.status} over all submods (draft-ietf-rats-ar4si §2.3.1 tier order).
     *
     * @return the worst status
     */
    public TrustTier worstStatus() {
        TrustTier worst = TrustTier.NONE;
        for (EarAppraisal a : submods.values()) {
            worst = worst.worst(a.status());
        }
        return worst;
    }

    private static void requireSeconds(Instant t, String what) {
        if (t.getNano() != 0 || t.getEpochSecond() < 0 || t.getEpochSecond() > MAX_EPOCH_SECOND) {
            throw new IllegalArgumentException(what + " must be whole seconds from the epoch to 9999-12-31: " + t);
        }
    }

    /** Builds an {@link Ear}. */
    public static final class Builder {
        private final VerifierId verifierId;
        private final Instant issuedAt;
        private final Map<String, EarAppraisal> submods = new TreeMap<>();
        private String nonce;
        private String rawEvidence;
        private Instant expiry;
        private final Map<String, EarJson> extensions = new TreeMap<>();

        private Builder(VerifierId verifierId, Instant issuedAt) {
            this.verifierId = Objects.requireNonNull(verifierId, "verifierId");
            this.issuedAt = Instant.ofEpochSecond(Objects.requireNonNull(issuedAt, "issuedAt").getEpochSecond());
        }

        /**
         * Adds (or replaces) the appraisal of submodule {@code name}.
         *
         * @param name the submodule name
         * @param appraisal its appraisal
         * @return this builder
         */
        public Builder submod(String name, EarAppraisal appraisal) {
            submods.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(appraisal, "appraisal"));
            return this;
        }

        /**
         * Sets {@code eat_nonce}.
         *
         * @param nonce the nonce
         * @return this builder
         */
        public Builder nonce(String nonce) {
            this.nonce = Objects.requireNonNull(nonce, "nonce");
            return this;
        }

        /**
         * Sets {@code ear.raw-evidence} to {@code evidence}, base64url-encoded.
         *
         * @param evidence the evidence bytes
         * @return this builder
         */
        public Builder rawEvidence(byte[] evidence) {
            this.rawEvidence = Base64Url.encode(Objects.requireNonNull(evidence, "evidence"));
            return this;
        }

        /**
         * Sets {@code exp}, truncated to seconds.
         *
         * @param exp the expiry time
         * @return this builder
         */
        public Builder expiry(Instant exp) {
            this.expiry = Instant.ofEpochSecond(Objects.requireNonNull(exp, "exp").getEpochSecond());
            return this;
        }

        /**
         * Adds a top-level extension claim.
         *
         * @param name the claim name
         * @param value the claim value
         * @return this builder
         */
        public Builder extension(String name, EarJson value) {
            extensions.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The EAR.
         *
         * @return the EAR
         * @throws IllegalArgumentException on an invalid part (e.g. no submod)
         */
        public Ear build() {
            return new Ear(issuedAt, verifierId, submods, Optional.ofNullable(nonce), Optional.ofNullable(rawEvidence),
                    Optional.ofNullable(expiry), extensions);
        }
    }
}
