package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.verify.ear.TrustTier;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The same evidence token submitted by eight threads at once (a retrying client, two replicas
 * behind a load balancer): it must be accepted exactly once, every other submission gets the
 * {@link Checks#REPLAY} finding.
 */
final class SameTokenRace {
    private SameTokenRace() {
    }

    /** Runs {@code rounds} races on {@code store}: the first token of a device, then later ones. */
    static void run(DeviceStateStore store, int rounds) throws Exception {
        TestDevice device = new TestDevice("racer");
        TestDevice golden = new TestDevice("golden");
        ReferenceValues refs = ReferenceValues.capture(EvidenceDecoder.builder(KeyResolver.single(golden.publicKey()))
                .build().decode(golden.evidence()).claims());
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of("racer", device.publicKey())))
                .referenceValues(refs).stateStore(store)
                .clock(Clock.fixed(Instant.parse("2026-11-25T12:00:30Z"), ZoneOffset.UTC)).build();
        for (int round = 0; round < rounds; round++) {
            byte[] token = device.evidence();
            List<String> outcomes = raceOutcomes(v, token);
            long affirming = outcomes.stream().filter(o -> o.equals(TrustTier.AFFIRMING.jsonName() + " []")).count();
            long replays = outcomes.stream()
                    .filter(o -> o.equals(TrustTier.CONTRAINDICATED.jsonName() + " [" + Checks.REPLAY + "]")).count();
            assertEquals(1, affirming, "round " + round + ": " + outcomes);
            assertEquals(7, replays, "round " + round + ": " + outcomes);
        }
    }

    private static List<String> raceOutcomes(Verifier v, byte[] token) throws Exception {
        List<String> out = new ArrayList<>();
        List<Boolean> done = DeviceStateStoreContract.race(t -> {
            String o = Fleet.outcome(v.appraise(token, AppraisalContext.periodic()));
            synchronized (out) {
                out.add(o);
            }
            return true;
        });
        assertEquals(8, done.size());
        return out;
    }
}
