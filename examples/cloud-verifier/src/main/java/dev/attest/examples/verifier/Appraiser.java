package dev.attest.examples.verifier;

import java.util.Optional;

/** What the service needs from attest-verify: one appraisal of one piece of evidence. */
interface Appraiser {
    /** The outcome, ready to store and to return. */
    record Appraisal(String device, String status, String trustVectorJson, String findingsJson, long sequence,
            String ear) {
    }

    /**
     * Appraises {@code evidence}; a device that is not trustworthy is a result, not an exception.
     *
     * @param expectedNonce the redeemed challenge this evidence must answer, if any
     * @param device the device the transport authenticated (an agent's client certificate), if
     *     any: evidence verified as another device's is contraindicated ({@code identity.mismatch})
     *     and advances no state
     * @throws IllegalArgumentException when the input is not evidence at all (HTTP 400)
     */
    Appraisal appraise(byte[] evidence, Optional<byte[]> expectedNonce, Optional<String> device) throws Exception;

    /**
     * The enrolled device whose key {@code evidence} names (its COSE {@code kid}), read without
     * verifying anything: only to refuse, before any appraisal, evidence that an authenticated
     * agent sends for another device.
     */
    Optional<String> signer(byte[] evidence);
}
