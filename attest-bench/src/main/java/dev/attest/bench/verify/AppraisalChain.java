package dev.attest.bench.verify;

import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.Verifier;

/**
 * One device's chain of evidences, each continuing the last, appraised in order as a fleet
 * verifier sees them: every appraisal reads the device's state, checks that the sequence
 * increases and the log extends the last head, and compare-and-sets the new head. Only when the
 * chain is used up does the store start empty again (one "first seen" appraisal per chain).
 * Appraising one token repeatedly would measure the cheap replay refusal; a fresh store per
 * appraisal only the first-seen path.
 */
final class AppraisalChain {
    private final Verifier verifier;
    private final AppraisalBenchmark.ResettableStore store;
    private final byte[][] chain;
    private final AppraisalContext context = AppraisalContext.periodic();
    private int next;
    private int notAffirming;

    /**
     * Appraises the whole chain once to prove the fixture (every result affirming, the last
     * evidence appraised again refused as a replay), then empties the store.
     *
     * @throws IllegalStateException if the fixture does not hold
     */
    AppraisalChain(Verifier verifier, AppraisalBenchmark.ResettableStore store, byte[][] chain) {
        this.verifier = verifier;
        this.store = store;
        this.chain = chain.clone();
        for (byte[] evidence : chain) {
            AttestationResult r = verifier.appraise(evidence, context);
            if (!r.affirming()) {
                throw new IllegalStateException("fixture is not affirming: " + r);
            }
        }
        if (verifier.appraise(chain[chain.length - 1], context).affirming()) {
            throw new IllegalStateException("a replay was accepted");
        }
        store.reset();
    }

    /** Appraises the next evidence of the chain (starting over with an empty store at its end). */
    AttestationResult appraiseNext() {
        if (next == chain.length) {
            next = 0;
            store.reset();
        }
        AttestationResult r = verifier.appraise(chain[next++], context);
        if (!r.affirming()) {
            notAffirming++;
        }
        return r;
    }

    /** @throws IllegalStateException if any appraisal was not affirming */
    void checkAllAffirming() {
        if (notAffirming != 0) {
            throw new IllegalStateException(notAffirming + " appraisals were not affirming");
        }
    }
}
