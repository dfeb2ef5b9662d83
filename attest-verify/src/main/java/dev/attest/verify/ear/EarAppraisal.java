package dev.attest.verify.ear;

import dev.attest.verify.internal.ear.Text;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One appraisal inside an EAR's {@code submods} (draft-ietf-rats-ear §3.2): the status, the
 * optional AR4SI trustworthiness vector and appraisal policy id, Veraison's optional extensions,
 * and any further extension claims kept as {@link EarJson}.
 *
 * @param status {@code ear.status}
 * @param trustVector {@code ear.trustworthiness-vector} (absent and empty are distinct)
 * @param policyId {@code ear.appraisal-policy-id}, non-empty when present
 * @param annotatedEvidence {@code ear.veraison.annotated-evidence}, a JSON object
 * @param policyClaims {@code ear.veraison.policy-claims}, a JSON object
 * @param keyAttestation {@code ear.veraison.key-attestation}
 * @param extensions any other claims, by name (sorted; names must not be ones listed above or
 *        top-level EAR claims)
 */
public record EarAppraisal(
        TrustTier status,
        Optional<TrustVector> trustVector,
        Optional<String> policyId,
        Optional<EarJson> annotatedEvidence,
        Optional<EarJson> policyClaims,
        Optional<KeyAttestation> keyAttestation,
        Map<String, EarJson> extensions) {

    /** Claim names this record models; they cannot be extensions. */
    static final Set<String> KNOWN = Set.of("ear.status", "ear.trustworthiness-vector", "ear.appraisal-policy-id",
            "ear.veraison.annotated-evidence", "ear.veraison.policy-claims", "ear.veraison.key-attestation");
    /** Top-level EAR claims that have no place inside an appraisal. */
    static final Set<String> MISPLACED = Set.of("eat_profile", "iat", "ear.verifier-id", "submods");

    /**
     * Validates and copies.
     *
     * @param status {@code ear.status}
     * @param trustVector {@code ear.trustworthiness-vector} (absent and empty are distinct)
     * @param policyId {@code ear.appraisal-policy-id}, non-empty when present
     * @param annotatedEvidence {@code ear.veraison.annotated-evidence}, a JSON object
     * @param policyClaims {@code ear.veraison.policy-claims}, a JSON object
     * @param keyAttestation {@code ear.veraison.key-attestation}
     * @param extensions any other claims, by name (sorted; names must not be ones listed above or top-level
     *     EAR claims)
     * @throws IllegalArgumentException on an invalid part
     */
    public EarAppraisal {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(trustVector, "trustVector");
        Objects.requireNonNull(policyId, "policyId");
        policyId.ifPresent(p -> Text.requireNonEmpty(p, "ear.appraisal-policy-id"));
        Objects.requireNonNull(annotatedEvidence, "annotatedEvidence");
        annotatedEvidence.ifPresent(j -> requireObject(j, "ear.veraison.annotated-evidence"));
        Objects.requireNonNull(policyClaims, "policyClaims");
        policyClaims.ifPresent(j -> requireObject(j, "ear.veraison.policy-claims"));
        Objects.requireNonNull(keyAttestation, "keyAttestation");
        extensions = copyExtensions(extensions, KNOWN, MISPLACED);
    }

    /**
     * An appraisal with just a status, a trust vector and a policy id: what this SDK's verifier emits.
     *
     * @param status the status
     * @param trustVector the trustworthiness vector
     * @param policyId the appraisal policy id
     * @return the appraisal
     */
    public static EarAppraisal of(TrustTier status, TrustVector trustVector, String policyId) {
        return builder(status).trustVector(trustVector).policyId(policyId).build();
    }

    /**
     * A builder starting from {@code status}.
     *
     * @param status the status
     * @return a new builder
     */
    public static Builder builder(TrustTier status) {
        return new Builder(status);
    }

    private static void requireObject(EarJson j, String what) {
        if (!j.isObject()) {
            throw new IllegalArgumentException(what + " must be a JSON object");
        }
    }

    static Map<String, EarJson> copyExtensions(Map<String, EarJson> ext, Set<String> known, Set<String> misplaced) {
        Objects.requireNonNull(ext, "extensions");
        TreeMap<String, EarJson> copy = new TreeMap<>();
        for (Map.Entry<String, EarJson> e : ext.entrySet()) {
            String name = Text.requireNonEmpty(Objects.requireNonNull(e.getKey(), "extension name"), "extension name");
            if (known.contains(name) || misplaced.contains(name)) {
                throw new IllegalArgumentException("'" + name + "' is not an extension claim here");
            }
            copy.put(name, Objects.requireNonNull(e.getValue(), "extension value"));
        }
        return Collections.unmodifiableMap(copy);
    }

    /** Builds an {@link EarAppraisal}; every part but the status is optional. */
    public static final class Builder {
        private final TrustTier status;
        private TrustVector trustVector;
        private String policyId;
        private EarJson annotatedEvidence;
        private EarJson policyClaims;
        private KeyAttestation keyAttestation;
        private final Map<String, EarJson> extensions = new TreeMap<>();

        private Builder(TrustTier status) {
            this.status = Objects.requireNonNull(status, "status");
        }

        /**
         * Sets {@code ear.trustworthiness-vector}.
         *
         * @param v the trustworthiness vector
         * @return this builder
         */
        public Builder trustVector(TrustVector v) {
            this.trustVector = Objects.requireNonNull(v, "trustVector");
            return this;
        }

        /**
         * Sets {@code ear.appraisal-policy-id}.
         *
         * @param id the appraisal policy id
         * @return this builder
         */
        public Builder policyId(String id) {
            this.policyId = Objects.requireNonNull(id, "policyId");
            return this;
        }

        /**
         * Sets {@code ear.veraison.annotated-evidence} (a JSON object).
         *
         * @param json the annotated evidence, a JSON object
         * @return this builder
         */
        public Builder annotatedEvidence(EarJson json) {
            this.annotatedEvidence = Objects.requireNonNull(json, "annotatedEvidence");
            return this;
        }

        /**
         * Sets {@code ear.veraison.policy-claims} (a JSON object).
         *
         * @param json the policy claims, a JSON object
         * @return this builder
         */
        public Builder policyClaims(EarJson json) {
            this.policyClaims = Objects.requireNonNull(json, "policyClaims");
            return this;
        }

        /**
         * Sets {@code ear.veraison.key-attestation}.
         *
         * @param ka the key attestation
         * @return this builder
         */
        public Builder keyAttestation(KeyAttestation ka) {
            this.keyAttestation = Objects.requireNonNull(ka, "keyAttestation");
            return this;
        }

        /**
         * Adds an extension claim.
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
         * The appraisal.
         *
         * @return the appraisal
         * @throws IllegalArgumentException on an invalid part
         */
        public EarAppraisal build() {
            return new EarAppraisal(status, Optional.ofNullable(trustVector), Optional.ofNullable(policyId),
                    Optional.ofNullable(annotatedEvidence), Optional.ofNullable(policyClaims),
                    Optional.ofNullable(keyAttestation), extensions);
        }
    }
}
