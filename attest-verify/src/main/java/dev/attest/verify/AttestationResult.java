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
 * @param claims the verified claims of the SDK's EAT evidence, if its signature verified (empty
 *     for other schemes' evidence)
 * @param nonces the nonces the verified evidence carries, of any scheme (each 8 to 64 bytes, RFC
 *     9711 §4.1); empty if the evidence was not verified or answers no challenge. The first is the
 *     EAR's {@code eat_nonce}
 */
public record AttestationResult(TrustTier status, TrustVector trustVector, List<Finding> findings,
        Optional<String> device, byte[] evidenceSha256, Instant appraisedAt, String policyId,
        Optional<EatClaims> claims, List<byte[]> nonces) {
    /**
     * A result whose nonces are those of {@code claims} (the SDK's EAT evidence, or none).
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
    public AttestationResult(TrustTier status, TrustVector trustVector, List<Finding> findings,
            Optional<String> device, byte[] evidenceSha256, Instant appraisedAt, String policyId,
            Optional<EatClaims> claims) {
        this(status, trustVector, findings, device, evidenceSha256, appraisedAt, policyId, claims,
                claims.map(EatClaims::nonces).orElse(List.of()));
    }

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
     * @param claims the verified claims of the SDK's EAT evidence, if its signature verified
     * @param nonces the nonces the verified evidence carries, each 8 to 64 bytes
     * @throws IllegalArgumentException if a nonce is shorter than 8 or longer than 64 bytes
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
        nonces = copies(nonces);
    }

    /** Copies of the nonces, each checked against RFC 9711 §4.1 (8 to 64 bytes). */
    private static List<byte[]> copies(List<byte[]> nonces) {
        for (byte[] n : nonces) {
            if (n.length < EatClaims.MIN_NONCE || n.length > EatClaims.MAX_NONCE) {
                throw new IllegalArgumentException("a nonce has 8 to 64 bytes, not " + n.length);
            }
        }
        return nonces.stream().map(byte[]::clone).toList();
    }

    /**
     * Copies of the nonces the verified evidence carries.
     *
     * @return fresh copies of the nonces, in the evidence's order; empty if none
     */
    @Override
    public List<byte[]> nonces() {
        return nonces.stream().map(byte[]::clone).toList();
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
     * {@code attest.findings} extension; the verified evidence's (first) nonce as
     * {@code eat_nonce}, base64url without padding (RFC 9711 §4.1 JSON form), for every scheme:
     * the SDK's EAT profile and PSA tokens alike, so a relying party can check that the result
     * answers its challenge ({@code EarVerifier.verify(jwt, expectedNonce)}).
     *
     * @param verifier the verifier id to put in the EAR
     * @return the EAR, not yet signed
     */
    public Ear toEar(VerifierId verifier) {
        EarAppraisal a = EarAppraisal.builder(status).trustVector(trustVector).policyId(policyId)
                .extension("attest.findings", new EarJson(findingsJson()))
                .extension("attest.evidence-sha256", EarJson.ofString(HexFormat.of().formatHex(evidenceSha256)))
                .build();
        Optional<String> nonce = nonces.stream().findFirst()
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
