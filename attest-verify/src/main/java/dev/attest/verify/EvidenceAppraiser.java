package dev.attest.verify;

import dev.attest.evidence.VerifiedEvidence;
import java.util.List;
import java.util.Set;

/**
 * A scheme-specific appraisal step (SPI), run by {@link Verifier} after the signature, freshness,
 * continuity and reference checks: attest-tpm's quote and event log appraisal plugs in here, and
 * so can a user's own scheme. Discovered with {@link java.util.ServiceLoader} and also passable
 * to {@link Verifier.Builder#appraiser}. Implementations must be thread-safe, must not throw for
 * bad evidence (that is a finding), and return no findings when the evidence holds nothing for
 * them. An appraiser that throws yields an {@link Checks#APPRAISER_FAILED} finding.
 *
 * <p>{@link Verifier} calls the four-argument {@link #appraise(String, VerifiedEvidence,
 * AppraisalContext, AppraiserState)}, handing over the state the appraiser keeps for the device
 * in the verifier's {@link DeviceStateStore} (shared by replicas, kept across restarts when the
 * store is a database). An appraiser that keeps nothing between evidences implements only the
 * three-argument method, which the default four-argument one calls.
 */
public interface EvidenceAppraiser {
    /**
     * A stable id, e.g. {@code tpm}; prefixes this appraiser's check ids.
     *
     * @return the appraiser id
     */
    String id();

    /**
     * This appraiser's checks that fall under the floor ({@link Checks#FLOOR}): those that tell
     * whether the evidence is authentic, answers this challenge, or is fresh (a quote's signature,
     * PCR digest and nonce), which no {@link Policy} may lower below contraindicated. Each entry
     * is a check id of this appraiser ({@link #id()} followed by a dot) or such a prefix followed
     * by {@code .*}; {@link Verifier.Builder#build} refuses others. Findings this appraiser
     * reports with the ids of {@link Checks#FLOOR} itself ({@link Checks#EVIDENCE},
     * {@link Checks#NONCE}, ...) are under the floor without being listed. Default: none.
     *
     * @return the check ids under the floor; empty if none
     */
    default Set<String> floor() {
        return Set.of();
    }

    /**
     * The findings for {@code evidence} (claims already signature-verified) from {@code device}
     * (identified by the verifier's trust anchors).
     *
     * @param device the device the evidence's key stands for
     * @param evidence the signature-verified evidence
     * @param context the appraisal context
     * @return the findings; empty if there are none
     */
    List<Finding> appraise(String device, VerifiedEvidence evidence, AppraisalContext context);

    /**
     * The findings for {@code evidence} from {@code device}, as {@link #appraise(String,
     * VerifiedEvidence, AppraisalContext)}, for an appraiser that keeps per-device state between
     * evidences in {@code state} (this appraiser's state of {@code device} in the verifier's
     * store: read it, compute the next one, swap it with {@link AppraiserState#compareAndSet} and
     * re-apply on a lost swap). A store failure may be thrown ({@link StateStoreException}), which
     * the verifier reports as {@link Checks#APPRAISER_FAILED}. The default ignores {@code state}
     * and calls the three-argument method.
     *
     * @param device the device the evidence's key stands for
     * @param evidence the signature-verified evidence
     * @param context the appraisal context
     * @param state this appraiser's stored state for {@code device}
     * @return the findings; empty if there are none
     */
    default List<Finding> appraise(String device, VerifiedEvidence evidence, AppraisalContext context,
            AppraiserState state) {
        return appraise(device, evidence, context);
    }
}
