package dev.attest.examples.verifier;

import java.util.Optional;

/** What the service needs from attest-verify: one appraisal of one piece of evidence. */
@FunctionalInterface
interface Appraiser {
    /** The outcome, ready to store and to return. */
    record Appraisal(String device, String status, String trustVectorJson, String findingsJson, long sequence,
            String ear) {
    }

    /**
     * Appraises {@code evidence}; a device that is not trustworthy is a result, not an exception.
     *
     * @param expectedNonce the redeemed challenge this evidence must answer, if any
     * @throws IllegalArgumentException when the input is not evidence at all (HTTP 400)
     */
    Appraisal appraise(byte[] evidence, Optional<byte[]> expectedNonce) throws Exception;
}
