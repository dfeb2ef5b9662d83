package dev.attest.verify;

import dev.attest.evidence.VerifiedEvidence;
import java.util.List;

/**
 * A scheme-specific appraisal step (SPI), run by {@link Verifier} after the signature, freshness,
 * continuity and reference checks: attest-tpm's quote and event log appraisal plugs in here, and
 * so can a user's own scheme. Discovered with {@link java.util.ServiceLoader} and also passable
 * to {@link Verifier.Builder#appraiser}. Implementations must be thread-safe, must not throw for
 * bad evidence (that is a finding), and return no findings when the evidence holds nothing for
 * them. An appraiser that throws yields an {@link Checks#APPRAISER_FAILED} finding.
 */
public interface EvidenceAppraiser {
    /** A stable id, e.g. {@code tpm}; prefixes this appraiser's check ids. */
    String id();

    /**
     * The findings for {@code evidence} (claims already signature-verified) from {@code device}
     * (identified by the verifier's trust anchors).
     */
    List<Finding> appraise(String device, VerifiedEvidence evidence, AppraisalContext context);
}
