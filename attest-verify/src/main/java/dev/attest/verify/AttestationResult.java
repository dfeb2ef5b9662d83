package dev.attest.verify;

import dev.attest.evidence.EatClaims;
import dev.attest.verify.ear.Ear;
import dev.attest.verify.ear.EarAppraisal;
import dev.attest.verify.ear.EarJson;
import dev.attest.verify.ear.TrustTier;
import dev.attest.verify.ear.TrustVector;
import dev.attest.verify.ear.VerifierId;
import dev.attest.verify.internal.Json;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one appraisal: the overall status, the AR4SI trust vector, every finding, the
 * device (when it could be identified), the evidence's SHA-256, the appraisal time and policy.
 * Serializes as an EAR ({@link #toEar}) for relying parties. Immutable.
 *
 * @param status the overall AR4SI tier; {@code AFFIRMING} only when every required check ran and passed
 * @param trustVector the trust claims that were appraised
 * @param findings every finding, in the order the checks ran
 * @param device the device id, if identified
 * @param evidenceSha256 SHA-256 of the evidence bytes
 * @param appraisedAt when the appraisal ran
 * @param policyId the policy applied
 * @param claims the verified claims, if the signature verified
 */
public record AttestationResult(TrustTier status, TrustVector trustVector, List<Finding> findings,
        Optional<String> device, byte[] evidenceSha256, Instant appraisedAt, String policyId,
        Optional<EatClaims> claims) {
    /**
     * Copies the parts.
     *
     * @param status the overall AR4SI tier; {@code AFFIRMING} only when every required check ran and passed
     * @param trustVector the trust claims that were appraised
     * @param findings every finding, in the order the checks ran
     * @param device the device id, if identified
     * @param evidenceSha256 SHA-256 of the evidence bytes
     * @param appraisedAt when the appraisal ran
     * @param policyId the policy applied
     * @param claims the verified claims, if the signature verified
     */
    public AttestationResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(trustVector, "trustVector");
        findings = List.copyOf(findings);
        Objects.requireNonNull(device, "device");
        evidenceSha256 = evidenceSha256.clone();
        Objects.requireNonNull(appraisedAt, "appraisedAt");
        Objects.requireNonNull(policyId, "policyId");
        Objects.requireNonNull(claims, "claims");
    }

    /**
     * The SHA-256 of the appraised evidence bytes, as a copy.
     *
     * @return a fresh copy of the 32-byte digest
     */
    @Override
    public byte[] evidenceSha256() {
        return evidenceSha256.clone();
    }

    /**
     * Whether the status is affirming.
     *
     * @return true if the status is affirming
     */
    public boolean affirming() {
        return status == TrustTier.AFFIRMING;
    }

    /**
     * The findings of one check.
     *
     * @param check the check id
     * @return its findings, in order; empty if none
     */
    public List<Finding> findings(String check) {
        return findings.stream().filter(f -> f.check().equals(check)).toList();
    }

    /**
     * The findings as a JSON array, in order, each
     * {@code {"check", "claim" (AR4SI name), "severity" (info | warning | contraindicated), "path",
     * "expected", "actual"}} — the form the EAR extension {@code attest.findings} carries, for
     * services that store or show findings.
     *
     * @return the JSON text
     */
    public String findingsJson() {
        com.fasterxml.jackson.databind.node.ArrayNode fs = Json.mapper().createArrayNode();
        for (Finding f : findings) {
            fs.addObject().put("check", f.check()).put("claim", f.claim().jsonName())
                    .put("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT)).put("path", f.path())
                    .put("expected", f.expected()).put("actual", f.actual());
        }
        return fs.toString();
    }

    /**
     * The result as an EAR (draft-ietf-rats-ear): one submodule named after the device (or
     * {@code unknown-device}), with status, trust vector, policy id, and the findings as the
     * {@code attest.findings} extension; the evidence nonce when there was one.
     *
     * @param verifier the verifier id to put in the EAR
     * @return the EAR, not yet signed
     */
    public Ear toEar(VerifierId verifier) {
        EarAppraisal a = EarAppraisal.builder(status).trustVector(trustVector).policyId(policyId)
                .extension("attest.findings", new EarJson(findingsJson()))
                .extension("attest.evidence-sha256", EarJson.ofString(HexFormat.of().formatHex(evidenceSha256)))
                .build();
        Optional<String> nonce = claims.flatMap(c -> c.nonces().stream().findFirst())
                .map(n -> Base64.getUrlEncoder().withoutPadding().encodeToString(n));
        return new Ear(Instant.ofEpochSecond(appraisedAt.getEpochSecond()), verifier,
                Map.of(device.orElse("unknown-device"), a), nonce, Optional.empty(), Optional.empty(), Map.of());
    }

    /** {@code status device: n findings}. */
    @Override
    public String toString() {
        return status.jsonName() + " " + device.orElse("(unknown device)") + ": " + findings.size() + " findings";
    }
}
