package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.ComponentId;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.VerifiedEvidence;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The verifier's checks, each with the exact finding it must produce; real keys, logs and tokens. */
class VerifierTest {
    private static final byte[] NONCE = "nonce-0123456789".getBytes(StandardCharsets.US_ASCII);
    private TestDevice device;
    private TestDevice other;
    private Verifier verifier;
    private ReferenceValues refs;

    @BeforeEach
    void setUp() throws Exception {
        device = new TestDevice("dev-1");
        other = new TestDevice("dev-2");
        // Reference values captured from a known-good device's evidence.
        TestDevice golden = new TestDevice("dev-1");
        VerifiedEvidence v = EvidenceDecoder.builder(KeyResolver.single(golden.publicKey())).build()
                .decode(golden.evidence());
        refs = ReferenceValues.capture(v.claims());
        verifier = verifier(Policy.defaults());
    }

    private Verifier verifier(Policy policy) {
        return Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of("dev-1", device.publicKey(), "dev-2", other.publicKey())))
                .referenceValues(refs).policy(policy)
                .clock(Clock.fixed(Instant.parse("2026-11-25T12:00:30Z"), ZoneOffset.UTC))
                .build();
    }

    private static List<String> checks(AttestationResult r) {
        return r.findings().stream().filter(f -> f.severity() != Severity.INFO).map(Finding::check)
                .collect(Collectors.toList());
    }

    private AttestationResult appraise(byte[] token) {
        return verifier.appraise(token, AppraisalContext.periodic());
    }

    @Test
    void healthyEvidenceIsAffirmingAndContinuityIsTracked() throws Exception {
        AttestationResult first = appraise(device.evidence());
        assertEquals(TrustTier.AFFIRMING, first.status(), first.findings().toString());
        assertEquals(List.of(Checks.FIRST_SEEN), first.findings().stream().map(Finding::check).toList());
        assertEquals("dev-1", first.device().orElseThrow());
        assertEquals(TrustClaim.TRUSTWORTHY_INSTANCE, first.trustVector().value(TrustClaim.INSTANCE_IDENTITY));
        assertEquals(TrustClaim.APPROVED_RUNTIME, first.trustVector().value(TrustClaim.EXECUTABLES));
        for (int i = 0; i < 3; i++) {
            AttestationResult next = appraise(device.evidence());
            assertEquals(TrustTier.AFFIRMING, next.status(), next.findings().toString());
            assertTrue(next.findings().isEmpty(), next.findings().toString());
        }
    }

    @Test
    void theMeasurementCacheIsBoundedAndNeverChangesAResult() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Verifier.builder().measurementCache(-1));
        assertThrows(IllegalArgumentException.class, () -> Verifier.builder().measurementCache((1 << 20) + 1));
        Verifier uncached = Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of("dev-1", device.publicKey(), "dev-2", other.publicKey())))
                .referenceValues(refs).clock(Clock.fixed(Instant.parse("2026-11-25T12:00:30Z"), ZoneOffset.UTC))
                .measurementCache(0).build();
        for (int i = 0; i < 4; i++) {
            byte[] token = i == 2 ? other.evidence() : device.evidence();
            AttestationResult cached = appraise(token);
            AttestationResult plain = uncached.appraise(token, AppraisalContext.periodic());
            assertEquals(plain.status(), cached.status());
            assertEquals(plain.findings(), cached.findings());
            assertEquals(plain.trustVector(), cached.trustVector());
            assertEquals(plain.claims().orElseThrow().allMeasurements(), cached.claims().orElseThrow().allMeasurements());
        }
    }

    @Test
    void challengeResponse() throws Exception {
        AttestationResult ok = verifier.appraise(device.evidence(device.cycle(), NONCE), AppraisalContext.challenge(NONCE));
        assertEquals(TrustTier.AFFIRMING, ok.status(), ok.findings().toString());
        byte[] wrong = device.evidence(device.cycle(), "another-nonce-99".getBytes(StandardCharsets.US_ASCII));
        AttestationResult bad = verifier.appraise(wrong, AppraisalContext.challenge(NONCE));
        assertEquals(List.of(Checks.NONCE), checks(bad));
        assertEquals(TrustTier.CONTRAINDICATED, bad.status());
        AttestationResult missing = verifier.appraise(device.evidence(), AppraisalContext.challenge(NONCE));
        assertEquals(List.of(Checks.NONCE), checks(missing));
        // The same nonce answered twice (a fresh log extent, so only the nonce is reused).
        AttestationResult reused = verifier.appraise(device.evidence(device.cycle(), NONCE), AppraisalContext.challenge(NONCE));
        assertEquals(List.of(Checks.NONCE_REPLAY), checks(reused));
    }

    @Test
    void redeemedChallenges() throws Exception {
        java.util.Set<String> issued = java.util.concurrent.ConcurrentHashMap.newKeySet();
        issued.add("dev-1:" + new String(NONCE, StandardCharsets.US_ASCII));
        NonceRedeemer redeemer = (dev, n) -> issued.remove(dev + ":" + new String(n, StandardCharsets.US_ASCII));
        AttestationResult ok = verifier.appraise(device.evidence(device.cycle(), NONCE), AppraisalContext.redeeming(redeemer));
        assertEquals(TrustTier.AFFIRMING, ok.status(), ok.findings().toString());
        AttestationResult again = verifier.appraise(device.evidence(device.cycle(), NONCE), AppraisalContext.redeeming(redeemer));
        assertEquals(List.of(Checks.NONCE), checks(again));
        // Authentic evidence answering a refused challenge still advances the device's state, so
        // the chain continues.
        AttestationResult periodic = verifier.appraise(device.evidence(), AppraisalContext.redeeming(redeemer));
        assertEquals(TrustTier.AFFIRMING, periodic.status(), periodic.findings().toString());
    }

    @Test
    void wrongKeyAndUnknownDeviceAreContraindicated() throws Exception {
        TestDevice impostor = new TestDevice("dev-1");
        AttestationResult r = appraise(impostor.evidence());
        assertEquals(List.of(Checks.EVIDENCE), checks(r));
        assertTrue(r.findings().get(0).actual().startsWith("BAD_SIGNATURE"), r.findings().toString());
        assertEquals(TrustClaim.CRYPTO_VALIDATION_FAILED, r.trustVector().value(TrustClaim.INSTANCE_IDENTITY));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        AttestationResult unknown = appraise(new TestDevice("dev-9").evidence());
        assertEquals(List.of(Checks.IDENTITY_UNKNOWN), checks(unknown));
        assertEquals(TrustClaim.UNRECOGNIZED_INSTANCE, unknown.trustVector().value(TrustClaim.INSTANCE_IDENTITY));
        AttestationResult notExpected = verifier.appraise(other.evidence(), AppraisalContext.periodic().forDevice("dev-1"));
        assertEquals(List.of(Checks.IDENTITY_MISMATCH), checks(notExpected));
    }

    @Test
    void replayedTokenAndOlderSequenceAreContraindicated() throws Exception {
        byte[] first = device.evidence();
        byte[] second = device.evidence();
        assertEquals(TrustTier.AFFIRMING, appraise(first).status());
        assertEquals(TrustTier.AFFIRMING, appraise(second).status());
        AttestationResult replay = appraise(second);
        assertEquals(List.of(Checks.REPLAY), checks(replay));
        AttestationResult older = appraise(first);
        assertEquals(List.of(Checks.REPLAY), checks(older));
        assertEquals(TrustTier.CONTRAINDICATED, older.status());
    }

    @Test
    void brokenChainWithoutRebootAndRebootAreTold() throws Exception {
        assertEquals(TrustTier.AFFIRMING, appraise(device.evidence()).status());
        device.evidence(); // never delivered: the next evidence does not continue what the verifier saw
        AttestationResult gap = appraise(device.evidence());
        assertEquals(List.of(Checks.BROKEN), checks(gap));
        device.reboot("boot-2");
        AttestationResult rebooted = appraise(device.evidence());
        assertEquals(List.of(Checks.REBOOT), checks(rebooted));
        assertEquals(TrustTier.WARNING, rebooted.status());
        // A "reboot" whose log does not start at genesis is a reset, not a reboot.
        device.log = dev.attest.core.MeasurementLog.inMemory(dev.attest.core.DigestAlgorithm.SHA_256, "boot-3", 100);
        device.log.append(device.cycle());
        device.lastSent = device.log.head();
        AttestationResult reset = appraise(device.evidence());
        assertEquals(List.of(Checks.REBOOT, Checks.BROKEN), checks(reset));
    }

    @Test
    void measurementsAgainstReferenceValues() throws Exception {
        device.firmware = "firmware v2 (tampered)";
        AttestationResult r = appraise(device.evidence());
        assertEquals(List.of(Checks.REFERENCE_DIGEST), checks(r));
        assertEquals("/boot/firmware.bin", r.findings(Checks.REFERENCE_DIGEST).get(0).path());
        assertEquals(TrustClaim.UNTRUSTWORTHY_INSTANCE, r.trustVector().value(TrustClaim.EXECUTABLES));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());

        device.firmware = "firmware v1";
        List<Measurement> missing = new ArrayList<>(device.cycle());
        missing.remove(1);
        assertEquals(List.of(Checks.REFERENCE_MISSING), checks(appraise(device.evidence(missing, null))));

        List<Measurement> extra = new ArrayList<>(device.cycle());
        extra.add(TestDevice.file("/usr/bin/backdoor", "evil", Layer.APPLICATION));
        AttestationResult unexpected = appraise(device.evidence(extra, null));
        assertEquals(List.of(Checks.REFERENCE_UNKNOWN), checks(unexpected));
        assertEquals(TrustTier.WARNING, unexpected.status());
        assertEquals(TrustClaim.UNRECOGNIZED_RUNTIME, unexpected.trustVector().value(TrustClaim.EXECUTABLES));
    }

    @Test
    void noReferenceValuesIsNeverAffirming() throws Exception {
        Verifier bare = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of("dev-1", device.publicKey())))
                .clock(Clock.fixed(Instant.parse("2026-11-25T12:00:30Z"), ZoneOffset.UTC)).build();
        AttestationResult r = bare.appraise(device.evidence(), AppraisalContext.periodic());
        assertEquals(List.of(Checks.REFERENCE_NONE), checks(r));
        assertEquals(TrustTier.WARNING, r.status());
    }

    @Test
    void freshness() throws Exception {
        device.now = Instant.parse("2026-11-25T11:40:00Z");
        assertEquals(List.of(Checks.STALE), checks(appraise(device.evidence())));
        device.now = Instant.parse("2026-11-25T12:05:00Z");
        assertEquals(List.of(Checks.IAT_FUTURE), checks(appraise(device.evidence())));
        device.now = Instant.parse("2026-11-25T12:00:00Z");
        assertEquals(List.of(Checks.EXPIRED), checks(appraise(device.evidence(device.cycle(), null,
                b -> b.exp(Instant.parse("2026-11-25T11:59:00Z"))))));
    }

    @Test
    void runtimeFindings() throws Exception {
        Measurement wx = Measurement.builder(ComponentId.of("[anon]@7f00-7f10"), Layer.MEMORY).collector("memory-protection")
                .time(Instant.parse("2026-11-25T12:00:00Z")).value("perms", "rwxp").value("path", "[anon]")
                .value("findings", new Value.ListValue(List.of(new Value.Text("writable-executable"))))
                .value("jit-code-cache", false).build();
        Measurement jit = Measurement.builder(ComponentId.of("[anon]@7e00-7e10"), Layer.MEMORY).collector("memory-protection")
                .time(Instant.parse("2026-11-25T12:00:00Z")).value("perms", "rwxp").value("path", "[anon]")
                .value("findings", new Value.ListValue(List.of(new Value.Text("writable-executable"))))
                .value("jit-code-cache", true).build();
        Measurement patched = Measurement.builder(ComponentId.of("/usr/lib/libc.so.6"), Layer.PROCESS)
                .collector("process-memory").time(Instant.parse("2026-11-25T12:00:00Z"))
                .value("match", false).value("differing-bytes", 1L).value("backing", "file").build();
        Measurement agent = Measurement.builder(ComponentId.of("jvm", "17"), Layer.APPLICATION).collector("jvm-runtime")
                .time(Instant.parse("2026-11-25T12:00:00Z")).value("input-arguments", new Value.ListValue(List.of()))
                .value("findings", new Value.ListValue(List.of(new Value.Text("javaagent:/tmp/evil.jar")))).build();
        List<Measurement> ms = new ArrayList<>(device.cycle());
        ms.add(jit);
        assertEquals(TrustTier.AFFIRMING, appraise(device.evidence(ms, null)).status(), "the JIT code cache is allowed");
        ms.add(wx);
        ms.add(patched);
        ms.add(agent);
        AttestationResult r = appraise(device.evidence(ms, null));
        // Submodules are in name order: application (jvm), memory, process.
        assertEquals(List.of(Checks.JVM_INSTRUMENTATION, Checks.WX, Checks.CODE_MISMATCH), checks(r));
        assertEquals("[anon]@7f00-7f10", r.findings(Checks.WX).get(0).path());
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
    }

    @Test
    void timingOutOfBoundsAndPolicyOverrides() throws Exception {
        Policy p = Policy.fromJson("""
                {"attest-policy": 1, "id": "strict-timing",
                 "severity": {"reference.unknown-component": "contraindicated"},
                 "runtime": {"timing": [{"component": "workload", "value": "median-ms", "max": 10}]}}""");
        verifier = verifier(p);
        AttestationResult r = appraise(device.evidence());
        assertEquals(List.of(Checks.TIMING), checks(r));
        assertEquals(TrustTier.WARNING, r.status());
        assertEquals("strict-timing", r.policyId());
        List<Measurement> extra = new ArrayList<>(device.cycle());
        extra.add(TestDevice.file("/usr/bin/backdoor", "evil", Layer.APPLICATION));
        AttestationResult unknown = appraise(device.evidence(extra, null));
        assertEquals(TrustTier.CONTRAINDICATED, unknown.status());
        // A policy cannot make a bad signature acceptable: lowering "evidence" is refused at
        // load (before, this policy lowered it and the verifier ignored that silently); every
        // floor check is covered in PolicyFloorTest.
        ConfigException lax = assertThrows(ConfigException.class, () -> Policy.fromJson("""
                {"attest-policy": 1, "id": "strict-timing", "severity": {"evidence": "info"}}"""));
        assertEquals(ConfigException.Reason.BELOW_FLOOR, lax.reason());
        assertEquals("/severity/evidence", lax.path());
        AttestationResult forged = appraise(new TestDevice("dev-1").evidence());
        assertEquals(TrustTier.CONTRAINDICATED, forged.status());
        assertEquals(Severity.CONTRAINDICATED, forged.findings().get(0).severity());
    }

    @Test
    void appraisersAddFindingsAndAThrowingOneIsContraindicated() throws Exception {
        java.util.List<String> seen = new java.util.ArrayList<>();
        Verifier v = Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of("dev-1", device.publicKey())))
                .referenceValues(refs).clock(Clock.fixed(Instant.parse("2026-11-25T12:00:30Z"), ZoneOffset.UTC))
                .appraiser(new EvidenceAppraiser() {
                    @Override
                    public String id() {
                        return "scheme";
                    }

                    @Override
                    public List<Finding> appraise(String dev, VerifiedEvidence e, AppraisalContext c) {
                        seen.add(dev);
                        return List.of(new Finding("scheme.check", TrustClaim.HARDWARE, Severity.WARNING, "/submods/tpm",
                                "a genuine part", "unknown part"));
                    }
                })
                .appraiser(new EvidenceAppraiser() {
                    @Override
                    public String id() {
                        return "broken";
                    }

                    @Override
                    public List<Finding> appraise(String dev, VerifiedEvidence e, AppraisalContext c) {
                        throw new IllegalStateException("bug");
                    }
                }).build();
        AttestationResult r = v.appraise(device.evidence(), AppraisalContext.periodic());
        assertEquals(List.of("dev-1"), seen);
        assertEquals(List.of("scheme.check", Checks.APPRAISER_FAILED), checks(r));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
    }

    @Test
    void resultNamesTheEvidenceBySha256AcceptedOrNot() throws Exception {
        byte[] token = device.evidence();
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        org.junit.jupiter.api.Assertions.assertArrayEquals(sha.digest(token), appraise(token).evidenceSha256());
        byte[] junk = "not evidence".getBytes(StandardCharsets.US_ASCII);
        org.junit.jupiter.api.Assertions.assertArrayEquals(sha.digest(junk), appraise(junk).evidenceSha256());
    }

    @Test
    void garbageIsContraindicatedNeverThrows() {
        for (byte[] junk : new byte[][] {new byte[0], {0x00}, "not cbor".getBytes(), new byte[70_000]}) {
            AttestationResult r = appraise(junk);
            assertEquals(TrustTier.CONTRAINDICATED, r.status());
            assertEquals(List.of(Checks.EVIDENCE), checks(r));
            assertFalse(r.affirming());
        }
    }

    @Test
    void earCarriesStatusVectorAndFindings() throws Exception {
        device.firmware = "tampered";
        AttestationResult r = appraise(device.evidence());
        var ear = r.toEar(new dev.attest.verify.ear.VerifierId("attest", "test"));
        var a = ear.submods().get("dev-1");
        assertEquals(TrustTier.CONTRAINDICATED, a.status());
        var findings = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.findingsJson());
        assertEquals(2, findings.size());
        assertEquals("continuity.first-seen", findings.get(0).get("check").asText());
        assertEquals("info", findings.get(0).get("severity").asText());
        assertEquals("reference.digest", findings.get(1).get("check").asText());
        assertEquals("executables", findings.get(1).get("claim").asText());
        assertEquals("contraindicated", findings.get(1).get("severity").asText());
        assertEquals("/boot/firmware.bin", findings.get(1).get("path").asText());
        assertEquals(findings, new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(a.extensions().get("attest.findings").text()), "the EAR carries the same findings");
        assertEquals(Duration.ZERO, Duration.between(ear.issuedAt(), Instant.parse("2026-11-25T12:00:30Z")));
    }
}
