package dev.attest.verify;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link EvidenceScheme} found in one evidence: the verified, normalised claims (empty
 * when the evidence was refused) and the scheme's findings. Immutable.
 *
 * @param claims the claims, present only if the evidence decoded and its signature verified
 *     with a known instance's key
 * @param findings the scheme's findings, in the order its checks ran
 */
public record SchemeAppraisal(Optional<SchemeClaims> claims, List<Finding> findings) {
    /**
     * Copies the findings.
     *
     * @param claims the claims, present only if the evidence decoded and its signature verified with a known
     *     instance's key
     * @param findings the scheme's findings, in the order its checks ran
     */
    public SchemeAppraisal {
        Objects.requireNonNull(claims, "claims");
        findings = List.copyOf(findings);
    }

    /**
     * Refused evidence: no claims, and the findings saying why.
     *
     * @param findings the findings saying why
     * @return the appraisal, without claims
     */
    public static SchemeAppraisal refused(List<Finding> findings) {
        if (findings.isEmpty()) {
            throw new IllegalArgumentException("a refusal needs a finding saying why");
        }
        return new SchemeAppraisal(Optional.empty(), findings);
    }
}
