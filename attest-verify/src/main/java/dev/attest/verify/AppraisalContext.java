package dev.attest.verify;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the caller knows when it appraises one evidence: the nonce it issued (challenge-response),
 * or a {@link NonceRedeemer} that recognizes the nonces it issued, or neither (periodic push);
 * the device it expects; and the time to appraise at (default: the verifier's clock). Immutable.
 *
 * @param expectedNonce the challenge; when present the evidence must carry exactly it
 * @param redeemer when present and no nonce is expected, a nonce in the evidence must be one it redeems
 * @param expectedDevice the device the caller expects, if it knows
 * @param time the appraisal time, if not the verifier's clock
 */
public record AppraisalContext(Optional<byte[]> expectedNonce, Optional<NonceRedeemer> redeemer,
        Optional<String> expectedDevice, Optional<Instant> time) {
    /**
     * Copies the nonce.
     *
     * @param expectedNonce the challenge; when present the evidence must carry exactly it
     * @param redeemer when present and no nonce is expected, a nonce in the evidence must be one it redeems
     * @param expectedDevice the device the caller expects, if it knows
     * @param time the appraisal time, if not the verifier's clock
     */
    public AppraisalContext {
        expectedNonce = expectedNonce.map(byte[]::clone);
        Objects.requireNonNull(redeemer, "redeemer");
        Objects.requireNonNull(expectedDevice, "expectedDevice");
        Objects.requireNonNull(time, "time");
    }

    /**
     * Periodic (pushed) evidence: no nonce expected, any known device.
     *
     * @return a context expecting no nonce
     */
    public static AppraisalContext periodic() {
        return new AppraisalContext(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * Challenged evidence: it must carry {@code nonce}.
     *
     * @param nonce the challenge; copied
     * @return a context expecting {@code nonce}
     */
    public static AppraisalContext challenge(byte[] nonce) {
        return new AppraisalContext(Optional.of(nonce), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * Evidence that may answer one of the challenges {@code redeemer} issued: if it carries a
     * nonce, the redeemer must redeem it for the signing device; if it carries none, it is
     * appraised as periodic evidence.
     *
     * @param redeemer the redeemer of issued challenges
     * @return a context redeeming nonces through {@code redeemer}
     */
    public static AppraisalContext redeeming(NonceRedeemer redeemer) {
        return new AppraisalContext(Optional.empty(), Optional.of(redeemer), Optional.empty(), Optional.empty());
    }

    /**
     * This context, expecting evidence from {@code device}.
     *
     * @param device the device id
     * @return a new context; this one is unchanged
     */
    public AppraisalContext forDevice(String device) {
        return new AppraisalContext(expectedNonce, redeemer, Optional.of(device), time);
    }

    /**
     * This context, appraising at {@code t}.
     *
     * @param t the appraisal time
     * @return a new context; this one is unchanged
     */
    public AppraisalContext at(Instant t) {
        return new AppraisalContext(expectedNonce, redeemer, expectedDevice, Optional.of(t));
    }

    /**
     * The nonce the evidence must carry, as a copy; empty when none is expected.
     *
     * @return a fresh copy of the nonce, or empty
     */
    @Override
    public Optional<byte[]> expectedNonce() {
        return expectedNonce.map(byte[]::clone);
    }
}
