package dev.attest.evidence;

/**
 * Receives each periodic {@link SignedEvidence} of a started {@link Attester}, on the
 * attester's scheduling thread, in log order (typically: queue it and send it to the verifier).
 * A sink that throws is logged; the evidence is not produced again, so a sink that cannot keep
 * a token should keep it somewhere durable before returning. Hand slow work (network) to your
 * own thread.
 */
@FunctionalInterface
public interface EvidenceSink {
    /**
     * Called once per periodic cycle that produced evidence.
     *
     * @param evidence the signed evidence of the cycle
     * @throws Exception on failure; logged
     */
    void accept(SignedEvidence evidence) throws Exception;
}
