package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.MeasurementLog;
import dev.attest.core.collectors.FileDigestCollector;
import dev.attest.evidence.Attester;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SignedEvidence;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.ear.TrustTier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both sides end to end: evidence from an {@link Attester}, appraised by a {@link Verifier}; nothing hand-built. */
class AttesterVerifierTest {
    @TempDir
    Path dir;

    private Attester.Builder device(SigningKey key, Path app, Path conf, String bootId) {
        return Attester.builder().signer(key).log(MeasurementLog.inMemory(DigestAlgorithm.SHA_256, bootId, 256))
                .swname("gateway-agent")
                .collector(FileDigestCollector.builder().path(app).layer(Layer.APPLICATION).build())
                .collector(FileDigestCollector.builder().id("config-digest").path(conf).layer(Layer.CONFIGURATION).build());
    }

    @Test
    void attesterEvidenceIsAffirmingChallengedAndPeriodicAndTheVerifierCatchesReplayGapsAndTampering() throws Exception {
        Path app = Files.writeString(dir.resolve("app.bin"), "application v1");
        Path conf = Files.writeString(dir.resolve("app.conf"), "mode=secure");
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("gateway-17")));
        VerificationKey pub = key.verificationKey().orElseThrow();

        ReferenceValues refs;
        try (Attester golden = device(key, app, conf, "golden-boot").build()) {
            byte[] token = golden.evidence("golden-nonce-01".getBytes(StandardCharsets.US_ASCII)).token();
            refs = ReferenceValues.capture(token, pub);
        }
        assertEquals(2, refs.components().size());

        Verifier verifier = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of("gateway-17", pub)))
                .referenceValues(refs).build();
        byte[] nonce = "verifier-nonce-42".getBytes(StandardCharsets.US_ASCII);
        BlockingQueue<SignedEvidence> sent = new LinkedBlockingQueue<>();
        try (Attester attester = device(key, app, conf, "boot-1").period(Duration.ofMillis(100)).build()) {
            // Challenge-response: the caller hands over the nonce and touches no claim.
            AttestationResult challenged = verifier.appraise(attester.evidence(nonce).token(),
                    AppraisalContext.challenge(nonce));
            assertEquals(TrustTier.AFFIRMING, challenged.status(), challenged.findings().toString());
            assertEquals(List.of(Checks.FIRST_SEEN), challenged.findings().stream().map(Finding::check).toList());
            assertEquals(Optional.of("gateway-17"), challenged.device());

            attester.start(sent::add);
            SignedEvidence p1 = sent.poll(10, TimeUnit.SECONDS);
            SignedEvidence p2 = sent.poll(10, TimeUnit.SECONDS);
            SignedEvidence p3 = sent.poll(10, TimeUnit.SECONDS);
            SignedEvidence p4 = sent.poll(10, TimeUnit.SECONDS);
            for (SignedEvidence p : List.of(p1, p2)) {
                AttestationResult r = verifier.appraise(p.token(), AppraisalContext.periodic());
                assertEquals(TrustTier.AFFIRMING, r.status(), r.findings().toString());
                assertTrue(r.findings().isEmpty(), r.findings().toString());
            }
            AttestationResult replayed = verifier.appraise(p2.token(), AppraisalContext.periodic());
            assertEquals(TrustTier.CONTRAINDICATED, replayed.status());
            assertTrue(checks(replayed).contains(Checks.REPLAY), replayed.findings().toString());
            // p3 never reaches the verifier: p4 does not continue the head it saw last.
            AttestationResult gap = verifier.appraise(p4.token(), AppraisalContext.periodic());
            assertTrue(checks(gap).contains(Checks.BROKEN), gap.findings().toString());
            assertEquals(p3.head(), p4.since());
            // Delivered late, in order (as a device's queue does after an outage), both are affirming.
            for (SignedEvidence p : List.of(p3, p4)) {
                AttestationResult r = verifier.appraise(p.token(), AppraisalContext.periodic());
                assertEquals(TrustTier.AFFIRMING, r.status(), r.findings().toString());
            }

            // A measured file changes on the device: the next evidence names it.
            Files.writeString(app, "application v1, patched");
            AttestationResult caught;
            int appraised = 0;
            do {
                caught = verifier.appraise(sent.poll(10, TimeUnit.SECONDS).token(), AppraisalContext.periodic());
                appraised++;
            } while (caught.status() == TrustTier.AFFIRMING && appraised < 20);
            assertEquals(TrustTier.CONTRAINDICATED, caught.status(), caught.findings().toString());
            assertEquals(List.of(Checks.REFERENCE_DIGEST), checks(caught), caught.findings().toString());
            assertEquals(app.toString(), caught.findings().get(0).path());
        }
    }

    private static List<String> checks(AttestationResult r) {
        return r.findings().stream().map(Finding::check).toList();
    }
}
