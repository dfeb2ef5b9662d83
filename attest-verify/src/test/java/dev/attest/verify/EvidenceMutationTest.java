package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.verify.ear.TrustTier;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The mutation campaign of issue 7: every single-bit flip of a valid signed evidence is
 * appraised, and none may be accepted — no result without a contraindicated finding, and no
 * device state advanced (the original token is still accepted afterwards).
 */
class EvidenceMutationTest {
    @Test
    void everySingleBitFlipIsRejected() throws Exception {
        TestDevice device = new TestDevice("dev-1");
        byte[] token = device.evidence();
        Verifier verifier = Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of("dev-1", device.publicKey())))
                .referenceValues(ReferenceValues.capture(dev.attest.evidence.EvidenceDecoder.builder(
                        dev.attest.evidence.KeyResolver.single(device.publicKey())).build().decode(token).claims()))
                .clock(Clock.fixed(Instant.parse("2026-11-25T12:00:30Z"), ZoneOffset.UTC)).build();
        int accepted = 0;
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int bit = 0; bit < token.length * 8; bit++) {
            byte[] t = token.clone();
            t[bit / 8] ^= (byte) (1 << (bit % 8));
            AttestationResult r = verifier.appraise(t, AppraisalContext.periodic());
            boolean refused = r.status() == TrustTier.CONTRAINDICATED
                    && r.findings().stream().anyMatch(f -> f.severity() == Severity.CONTRAINDICATED);
            if (!refused) {
                accepted++;
            }
            String why = r.findings().isEmpty() ? "none" : r.findings().get(0).actual().split(":")[0];
            outcomes.merge(why, 1, Integer::sum);
        }
        System.out.println("bit flips of a " + token.length + "-byte token: " + token.length * 8
                + " appraised, " + accepted + " accepted; first-finding reasons " + outcomes);
        assertEquals(0, accepted);
        AttestationResult original = verifier.appraise(token, AppraisalContext.periodic());
        assertEquals(TrustTier.AFFIRMING, original.status(), original.findings().toString());
    }
}
