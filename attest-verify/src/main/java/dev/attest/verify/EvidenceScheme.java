package dev.attest.verify;

import dev.attest.verify.ear.TrustVector;
import java.util.List;
import java.util.Set;

/**
 * An evidence format the {@link Verifier} appraises (SPI). The SDK's own EAT profile is the one
 * built-in scheme ({@code eat}, always tried last, see {@link Verifier#allSchemes()}); others: PSA
 * attestation tokens (RFC 9783, {@link dev.attest.verify.psa.PsaScheme}), and later Arm CCA
 * tokens or bare TPM quotes. A scheme recognises its tokens by content (a COSE tag, the claim
 * keys or {@code eat_profile} of its payload) or by media type, decodes and verifies them with
 * the keys it was configured with, compares them with its reference values, and hands the
 * verifier normalised claims ({@link SchemeClaims}: identity, environment, measured components,
 * freshness) and its findings. The verifier keeps what is common: the challenge nonce and its
 * single use ({@link DeviceStateStore}), the expected device, policy, the result and its EAR.
 * The scheme says how the findings (after policy) map onto the AR4SI trust vector.
 *
 * <p>Discovered with {@link java.util.ServiceLoader} ({@link Verifier.Builder#discoverSchemes})
 * and passable in code ({@link Verifier.Builder#scheme}); adding one never changes the
 * {@link Verifier}. Implementations are immutable and thread-safe, never throw for bad evidence
 * (that is a finding) and never accept by default: without verified claims a result is
 * contraindicated whatever the trust vector says.
 */
public interface EvidenceScheme {
    /**
     * A stable id, e.g. {@code psa}; it prefixes the scheme's own check ids.
     *
     * @return the scheme id
     */
    String id();

    /**
     * This scheme's own checks that fall under the floor ({@link Checks#FLOOR}), as for an
     * {@link EvidenceAppraiser#floor()}: each a check id of this scheme ({@link #id()} and a dot)
     * or such a prefix followed by {@code .*}. A scheme that reports its signature, decoding,
     * identity and nonce failures with the built-in ids ({@link Checks#EVIDENCE},
     * {@link Checks#NONCE}, {@code identity.*}), as the PSA scheme does, needs none. Default: none.
     *
     * @return the floor entries of this scheme
     */
    default Set<String> floor() {
        return Set.of();
    }

    /**
     * The media types of this scheme's evidence (e.g. {@code application/psa-attestation-token}).
     *
     * @return the media types
     */
    Set<String> mediaTypes();

    /**
     * Whether {@code evidence} looks like this scheme's, by content alone. Cheap and never
     * throwing: it only routes, {@link #appraise} decides.
     *
     * @param evidence the evidence bytes
     * @return true if the evidence looks like this scheme's
     */
    boolean recognizes(byte[] evidence);

    /**
     * Decodes and verifies {@code evidence} and compares it with this scheme's reference values.
     * A token that cannot be decoded or whose signature fails gives no claims and a finding
     * {@link Checks#EVIDENCE}; a key of no known instance gives {@link Checks#IDENTITY_UNKNOWN}.
     *
     * @param evidence the evidence bytes
     * @param context the appraisal context
     * @return the appraisal
     */
    SchemeAppraisal appraise(byte[] evidence, AppraisalContext context);

    /**
     * The AR4SI trust vector for an appraisal with these findings (after policy, in order).
     *
     * @param verified whether the evidence verified (claims were handed over)
     * @param findings the findings, after policy, in order
     * @return the trust vector
     */
    TrustVector trustVector(boolean verified, List<Finding> findings);
}
