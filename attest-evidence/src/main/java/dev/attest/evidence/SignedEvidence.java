package dev.attest.evidence;

import dev.attest.core.LogHead;
import java.util.Objects;
import java.util.Optional;

/**
 * One token an {@link Attester} produced: the signed bytes (a CWT in COSE_Sign1) to send to the
 * verifier, and what they cover. Tokens must reach the verifier in the order the attester made
 * them: each one's {@link #since()} is the previous one's {@link #head()}, so a token that is
 * lost shows up at the verifier as {@code continuity.broken}. Byte arrays are copied in and out.
 *
 * @param token the signed evidence
 * @param since the log head the previous evidence ended at
 * @param head the log head this evidence ends at; {@code head.sequence()} orders the tokens
 * @param nonce the verifier's challenge this evidence answers, if any
 * @param cycle the scheduler's cycle number the evidence's measurements came from
 */
public record SignedEvidence(byte[] token, LogHead since, LogHead head, Optional<byte[]> nonce, long cycle) {
    /**
     * Copies the arrays.
     *
     * @param token the signed evidence
     * @param since the log head the previous evidence ended at
     * @param head the log head this evidence ends at
     * @param nonce the verifier's challenge this evidence answers, if any
     * @param cycle the scheduler's cycle number the evidence's measurements came from
     */
    public SignedEvidence {
        token = Objects.requireNonNull(token, "token").clone();
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(head, "head");
        nonce = Objects.requireNonNull(nonce, "nonce").map(byte[]::clone);
    }

    /**
     * A copy of the signed evidence.
     *
     * @return a fresh copy of the token
     */
    @Override
    public byte[] token() {
        return token.clone();
    }

    /**
     * A copy of the nonce, if there is one.
     *
     * @return a fresh copy of the nonce, or empty
     */
    @Override
    public Optional<byte[]> nonce() {
        return nonce.map(byte[]::clone);
    }

    /** {@code SignedEvidence[cycle 3, log 12..18, n bytes, challenged]}; never the bytes. */
    @Override
    public String toString() {
        return "SignedEvidence[cycle " + cycle + ", log " + since.sequence() + ".." + head.sequence() + ", "
                + token.length + " bytes" + (nonce.isPresent() ? ", challenged" : "") + "]";
    }
}
