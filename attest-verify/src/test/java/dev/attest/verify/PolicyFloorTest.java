package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.MeasurementLog;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EatProfile;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.VerifiedEvidence;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import dev.attest.verify.ear.VerifierId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The floor (issue 24): no policy, JSON or code, makes a forged, foreign, replayed, re-ordered,
 * stale or wrong-nonce token affirming; lowering a floor check in JSON is refused at load naming
 * it, in code at build when the verifier can see it, and at appraisal the floor holds anyway.
 * Real keys, logs and signed tokens.
 */
class PolicyFloorTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:30Z");
    private static final byte[] NONCE = "nonce-0123456789".getBytes(StandardCharsets.US_ASCII);
    /** The floor, written out: a check dropped from Checks.FLOOR fails this test. */
    private static final List<String> FLOOR_CHECKS = List.of("evidence", "identity.unknown", "identity.mismatch",
            "freshness.nonce", "freshness.nonce-replay", "freshness.iat-missing", "freshness.iat-future",
            "freshness.stale", "freshness.expired", "continuity.log-missing", "continuity.chain", "continuity.replay",
            "continuity.broken", "appraiser.failed");
    /** Checks a policy may weigh as it likes. */
    private static final List<String> LOWERABLE = List.of("continuity.reboot", "continuity.first-seen",
            "reference.none", "reference.digest", "reference.version", "reference.missing", "reference.forbidden",
            "reference.unknown-component", "measurement.error", "measurement.unsupported", "runtime.code-mismatch",
            "runtime.code-replaced", "runtime.wx", "runtime.timing", "runtime.jvm-instrumentation",
            "evidence.unknown-claim", "freshness.stale-accepted");

    private TestDevice device;
    private TestDevice other;
    private ReferenceValues refs;

    @BeforeEach
    void setUp() throws Exception {
        device = new TestDevice("dev-1");
        other = new TestDevice("dev-2");
        TestDevice golden = new TestDevice("dev-1");
        VerifiedEvidence v = EvidenceDecoder.builder(KeyResolver.single(golden.publicKey())).build()
                .decode(golden.evidence());
        refs = ReferenceValues.capture(v.claims());
    }

    private Verifier.Builder builder(Policy policy) {
        return Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of("dev-1", device.publicKey(), "dev-2", other.publicKey())))
                .referenceValues(refs).policy(policy).clock(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static String json(String severities) {
        return "{\"attest-policy\": 1, \"id\": \"lax\", \"severity\": {" + severities + "}}";
    }

    private static ConfigException refused(String severities) {
        return assertThrows(ConfigException.class, () -> Policy.fromJson(json(severities)), severities);
    }

    /**
     * A policy in code that lowers every finding to INFO, but answers the verifier's build-time
     * question (a finding without expected or actual text) truthfully: the floor must hold at
     * appraisal without help from the build.
     */
    private static final Policy SNEAKY = new Policy() {
        @Override
        public String id() {
            return "sneaky";
        }

        @Override
        public Severity severity(Finding f) {
            return f.expected().isEmpty() && f.actual().isEmpty() ? f.severity() : Severity.INFO;
        }
    };

    @Test
    void theFloorIsTheDocumentedOne() {
        Set<String> expected = new java.util.TreeSet<>(FLOOR_CHECKS);
        expected.removeIf(c -> c.startsWith("identity."));
        expected.add("identity.*");
        assertEquals(expected, Checks.FLOOR);
        assertEquals(new ArrayList<>(expected), new ArrayList<>(Checks.FLOOR), "in id order");
        assertThrows(UnsupportedOperationException.class, () -> Checks.FLOOR.add("runtime.wx"));
        for (String c : FLOOR_CHECKS) {
            assertTrue(Checks.inFloor(c), c);
        }
        for (String c : LOWERABLE) {
            assertFalse(Checks.inFloor(c), c);
        }
        assertTrue(Checks.inFloor("identity.revoked"), "a later identity check inherits the floor");
    }

    @Test
    void everyFloorCheckLoweredInJsonIsRefusedAtLoadNamingIt() throws Exception {
        for (String check : FLOOR_CHECKS) {
            for (String severity : List.of("info", "warning", "INFO", "Warning")) {
                ConfigException e = refused("\"reference.unknown-component\": \"info\", \"" + check + "\": \"" + severity
                        + "\"");
                assertEquals(ConfigException.Reason.BELOW_FLOOR, e.reason(), check);
                assertEquals("/severity/" + check, e.path(), check);
                assertTrue(e.getMessage().contains(check + " is "), e.getMessage());
            }
            // Keeping it contraindicated is no lowering.
            Policy.fromJson(json("\"" + check + "\": \"contraindicated\""));
        }
        ConfigException e = refused("\"continuity.replay\": \"info\"");
        assertEquals("BELOW_FLOOR at /severity/continuity.replay: continuity.replay is a floor check: policy lax may not "
                + "make it info (only contraindicated; see docs/verifier.md, The floor)", e.getMessage());
        ConfigException under = refused("\"identity.revoked\": \"warning\"");
        assertEquals("/severity/identity.revoked", under.path());
        assertTrue(under.getMessage().contains("identity.revoked is under floor entry identity.*"), under.getMessage());
    }

    @Test
    void wildcardsThatReachTheFloorAreRefusedAndOthersApply() throws Exception {
        Map<String, String> reaches = Map.of("continuity.*", "continuity.broken", "freshness.*", "freshness.expired",
                "identity.*", "identity.*", "identity.new.*", "identity.*", "appraiser.*", "appraiser.failed");
        for (Map.Entry<String, String> w : reaches.entrySet()) {
            ConfigException e = refused("\"" + w.getKey() + "\": \"info\"");
            assertEquals(ConfigException.Reason.BELOW_FLOOR, e.reason());
            assertEquals("/severity/" + w.getKey(), e.path());
            assertTrue(e.getMessage().contains("the wildcard reaches floor check " + w.getValue()), e.getMessage());
        }
        for (String bad : List.of("*", "continuity*", "continuity.*.x", "Continuity.Replay", ".*", "continuity.", "")) {
            ConfigException e = refused("\"" + bad + "\": \"info\"");
            assertEquals(ConfigException.Reason.BAD_VALUE, e.reason(), bad);
            assertEquals("/severity/" + bad, e.path());
        }
        // "evidence.*" covers evidence.unknown-claim, not the floor check "evidence".
        Policy p = Policy.fromJson(json("\"evidence.*\": \"warning\", \"reference.*\": \"info\", "
                + "\"continuity.*\": \"contraindicated\", \"continuity.reboot\": \"info\", \"runtime.*\": \"warning\", "
                + "\"runtime.wx\": \"info\""));
        assertEquals(Severity.WARNING, p.severity(finding(Checks.UNKNOWN_CLAIM, Severity.INFO)));
        assertEquals(Severity.INFO, p.severity(finding(Checks.REFERENCE_DIGEST, Severity.CONTRAINDICATED)));
        assertEquals(Severity.INFO, p.severity(finding(Checks.REBOOT, Severity.WARNING)), "the exact id wins");
        assertEquals(Severity.CONTRAINDICATED, p.severity(finding(Checks.FIRST_SEEN, Severity.INFO)));
        assertEquals(Severity.INFO, p.severity(finding(Checks.WX, Severity.CONTRAINDICATED)));
        assertEquals(Severity.WARNING, p.severity(finding(Checks.CODE_MISMATCH, Severity.CONTRAINDICATED)));
        assertEquals(Severity.WARNING, p.severity(finding("scheme.x", Severity.WARNING)), "not named: as reported");
    }

    @Test
    void theChecksAPolicyMayWeighLoadAndApply() throws Exception {
        for (String check : LOWERABLE) {
            Policy p = Policy.fromJson(json("\"" + check + "\": \"info\""));
            assertEquals(Severity.INFO, p.severity(finding(check, Severity.CONTRAINDICATED)), check);
            builder(p).build();
        }
    }

    private static Finding finding(String check, Severity s) {
        return new Finding(check, TrustClaim.EXECUTABLES, s, "/x", "a", "b");
    }

    @Test
    void aCodePolicyLoweringAFloorCheckIsRefusedAtBuild() {
        for (String check : FLOOR_CHECKS) {
            for (Severity lowered : List.of(Severity.INFO, Severity.WARNING)) {
                Policy p = new Policy() {
                    @Override
                    public String id() {
                        return "code";
                    }

                    @Override
                    public Severity severity(Finding f) {
                        return f.check().equals(check) ? lowered : f.severity();
                    }
                };
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder(p).build(), check);
                ConfigException cause = assertInstanceOf(ConfigException.class, e.getCause());
                assertEquals(ConfigException.Reason.BELOW_FLOOR, cause.reason());
                assertEquals("/severity/" + check, cause.path());
                assertEquals(cause.getMessage(), e.getMessage());
            }
        }
        Policy prefix = new Policy() {
            @Override
            public String id() {
                return "prefix";
            }

            @Override
            public Severity severity(Finding f) {
                return f.check().startsWith("continuity.") ? Severity.INFO : f.severity();
            }
        };
        ConfigException cause = (ConfigException) assertThrows(IllegalStateException.class,
                () -> builder(prefix).build()).getCause();
        assertEquals("/severity/continuity.broken", cause.path(), "the first floor check it lowers, in id order");
    }

    /** One token per floor check, each producing exactly that finding, appraised with {@link #SNEAKY}. */
    @Test
    void aCodePolicyReturningInfoForAFloorFindingStillYieldsContraindicated() throws Exception {
        Map<String, Function<Verifier, AttestationResult>> cases = new java.util.LinkedHashMap<>();
        cases.put(Checks.EVIDENCE, v -> v.appraise(sign(new TestDevice("dev-1"), device.cycle()),
                AppraisalContext.periodic()));
        cases.put(Checks.IDENTITY_UNKNOWN, v -> v.appraise(sign(new TestDevice("dev-9"), device.cycle()),
                AppraisalContext.periodic()));
        cases.put(Checks.IDENTITY_MISMATCH, v -> v.appraise(sign(other, other.cycle()),
                AppraisalContext.periodic().forDevice("dev-1")));
        cases.put(Checks.NONCE, v -> v.appraise(token(device, "another-nonce-99".getBytes(StandardCharsets.US_ASCII)),
                AppraisalContext.challenge(NONCE)));
        cases.put(Checks.NONCE_REPLAY, v -> {
            assertTrue(v.appraise(token(device, NONCE), AppraisalContext.challenge(NONCE)).affirming());
            return v.appraise(token(device, NONCE), AppraisalContext.challenge(NONCE));
        });
        cases.put(Checks.IAT_MISSING, v -> v.appraise(encode(device, EatClaims.builder().profile(EatProfile.PROFILE)
                .measurementLog(device.lastSent, call(() -> device.log.append(device.cycle())), advance(device))),
                AppraisalContext.periodic()));
        cases.put(Checks.IAT_FUTURE, v -> {
            device.now = NOW.plusSeconds(300);
            return v.appraise(token(device, null), AppraisalContext.periodic());
        });
        cases.put(Checks.STALE, v -> {
            device.now = NOW.minus(Duration.ofMinutes(30));
            return v.appraise(token(device, null), AppraisalContext.periodic());
        });
        cases.put(Checks.EXPIRED, v -> v.appraise(call(() -> device.evidence(device.cycle(), null,
                b -> b.exp(NOW.minusSeconds(120)))), AppraisalContext.periodic()));
        cases.put(Checks.LOG_MISSING, v -> v.appraise(encode(device, EatClaims.builder().profile(EatProfile.PROFILE)
                .iat(NOW)), AppraisalContext.periodic()));
        cases.put(Checks.CHAIN, v -> {
            List<LogEntry> entries = call(() -> device.log.append(device.cycle()));
            LogHead h = device.log.head();
            LogHead forged = new LogHead(h.sequence(), DigestAlgorithm.SHA_256.hash(new byte[] {1}), h.bootId());
            byte[] t = encode(device, EatClaims.builder().profile(EatProfile.PROFILE).iat(NOW)
                    .measurementLog(device.lastSent, entries, forged));
            device.lastSent = h;
            return v.appraise(t, AppraisalContext.periodic());
        });
        cases.put(Checks.REPLAY, v -> {
            byte[] t = token(device, null);
            assertTrue(v.appraise(t, AppraisalContext.periodic()).affirming());
            return v.appraise(t, AppraisalContext.periodic());
        });
        cases.put(Checks.BROKEN, v -> {
            assertTrue(v.appraise(token(device, null), AppraisalContext.periodic()).affirming());
            token(device, null); // never delivered
            return v.appraise(token(device, null), AppraisalContext.periodic());
        });
        cases.put(Checks.APPRAISER_FAILED, v -> v.appraise(token(device, null), AppraisalContext.periodic()));
        assertEquals(FLOOR_CHECKS, new ArrayList<>(cases.keySet()), "a case for every floor check");
        for (Map.Entry<String, Function<Verifier, AttestationResult>> c : cases.entrySet()) {
            setUp();
            Verifier.Builder b = builder(SNEAKY);
            if (c.getKey().equals(Checks.APPRAISER_FAILED)) {
                b.appraiser(throwing());
            }
            AttestationResult r = c.getValue().apply(b.build());
            List<Finding> fs = r.findings(c.getKey());
            assertEquals(1, fs.size(), c.getKey() + ": " + r.findings());
            assertEquals(Severity.CONTRAINDICATED, fs.get(0).severity(), c.getKey());
            assertEquals(TrustTier.CONTRAINDICATED, r.status(), c.getKey() + ": " + r.findings());
            assertFalse(r.affirming());
            // The attempt is told, next to the finding, in the result and so in the EAR.
            int at = r.findings().indexOf(fs.get(0));
            Finding told = r.findings().get(at + 1);
            assertEquals(new Finding(Checks.POLICY_FLOOR, fs.get(0).claim(), Severity.INFO, fs.get(0).path(),
                    c.getKey() + " contraindicated (the floor)", "policy sneaky gave info"), told);
            assertTrue(r.findingsJson().contains("\"check\":\"policy.floor\""), r.findingsJson());
            // Everything else the sneaky policy lowered stays lowered: it is only the floor that holds.
            assertTrue(r.findings().stream().filter(f -> !Checks.inFloor(f.check()))
                    .allMatch(f -> f.severity() == Severity.INFO), r.findings().toString());
        }
    }

    /** The reproduction, and re-ordered, foreign-chain and wrong-nonce tokens. */
    @Test
    void noPolicyMakesAReplayedReorderedForeignOrWrongNonceTokenAffirming() throws Exception {
        String laxJson = "{\"attest-policy\":1,\"id\":\"lax\",\"severity\":{\"continuity.replay\":\"info\"}}";
        ConfigException e = assertThrows(ConfigException.class, () -> Policy.fromJson(laxJson));
        assertEquals(ConfigException.Reason.BELOW_FLOOR, e.reason());
        assertEquals("/severity/continuity.replay", e.path());
        // The laxest policies that exist now: JSON lowering everything it may, and SNEAKY in code.
        StringBuilder all = new StringBuilder();
        for (String c : LOWERABLE) {
            all.append(all.length() == 0 ? "" : ", ").append('"').append(c).append("\": \"info\"");
        }
        for (Policy lax : List.of(Policy.fromJson(json(all.toString())), SNEAKY)) {
            setUp();
            Verifier v = builder(lax).build();
            byte[] token = token(device, null);
            AttestationResult first = v.appraise(token, AppraisalContext.periodic());
            assertEquals(TrustTier.AFFIRMING, first.status(), first.findings().toString());
            AttestationResult second = v.appraise(token, AppraisalContext.periodic());
            assertEquals(TrustTier.CONTRAINDICATED, second.status());
            assertEquals(List.of(Checks.REPLAY), contraindicated(second));
            assertEquals("sequence above 3", second.findings(Checks.REPLAY).get(0).expected());
            assertEquals("contraindicated", new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(second.toEar(new VerifierId("attest", "test")).submods().get("dev-1").extensions()
                            .get("attest.findings").text()).get(0).get("severity").asText());

            // Re-ordered: the later token first does not continue the last head; once both are
            // in, the earlier one again is a rollback.
            byte[] a = token(device, null);
            byte[] b = token(device, null);
            AttestationResult early = v.appraise(b, AppraisalContext.periodic());
            assertEquals(List.of(Checks.BROKEN), contraindicated(early));
            assertEquals(TrustTier.CONTRAINDICATED, early.status());
            assertTrue(v.appraise(a, AppraisalContext.periodic()).affirming());
            assertTrue(v.appraise(b, AppraisalContext.periodic()).affirming());
            AttestationResult reordered = v.appraise(a, AppraisalContext.periodic());
            assertEquals(List.of(Checks.REPLAY), contraindicated(reordered));
            assertEquals(TrustTier.CONTRAINDICATED, reordered.status());

            // Foreign chain: signed by the device, but continuing another log of the same boot
            // (a clone, or an old image's log) instead of the head the verifier accepted.
            MeasurementLog foreign = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-1", 4096);
            foreign.append(List.of(TestDevice.file("/other", "x", dev.attest.core.Layer.APPLICATION)));
            foreign.append(device.cycle());
            foreign.append(device.cycle());
            LogHead since = foreign.head();
            List<LogEntry> entries = foreign.append(device.cycle());
            byte[] forged = encode(device, EatClaims.builder().profile(EatProfile.PROFILE).iat(NOW)
                    .measurementLog(since, entries, foreign.head()));
            AttestationResult foreignChain = v.appraise(forged, AppraisalContext.periodic());
            assertEquals(List.of(Checks.BROKEN), contraindicated(foreignChain));
            assertEquals(TrustTier.CONTRAINDICATED, foreignChain.status());

            // Wrong nonce.
            AttestationResult wrong = v.appraise(token(device, "another-nonce-99".getBytes(StandardCharsets.US_ASCII)),
                    AppraisalContext.challenge(NONCE));
            assertEquals(List.of(Checks.NONCE), contraindicated(wrong));
            assertEquals(TrustTier.CONTRAINDICATED, wrong.status());
        }
    }

    private static List<String> contraindicated(AttestationResult r) {
        return r.findings().stream().filter(f -> f.severity() == Severity.CONTRAINDICATED).map(Finding::check).toList();
    }

    @Test
    void anAppraisersFloorIsRefusedInJsonAtBuildAndHeldAtAppraisal() throws Exception {
        EvidenceAppraiser scheme = new EvidenceAppraiser() {
            @Override
            public String id() {
                return "scheme";
            }

            @Override
            public Set<String> floor() {
                return Set.of("scheme.signature", "scheme.nonce.*");
            }

            @Override
            public List<Finding> appraise(String dev, VerifiedEvidence e, AppraisalContext c) {
                return List.of(new Finding("scheme.signature", TrustClaim.HARDWARE, Severity.CONTRAINDICATED,
                        "/submods/scheme", "a signature by the part", "another signature"),
                        new Finding("scheme.nonce.mismatch", TrustClaim.HARDWARE, Severity.WARNING, "/submods/scheme",
                                "the challenge", "another nonce"));
            }
        };
        // Loads (the appraiser's floor is not known yet), refused when the verifier is built with it.
        for (String entry : List.of("scheme.signature", "scheme.*", "scheme.nonce.mismatch", "scheme.nonce.*")) {
            Policy p = Policy.fromJson(json("\"" + entry + "\": \"warning\""));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> builder(p).appraiser(scheme).build(), entry);
            ConfigException cause = assertInstanceOf(ConfigException.class, e.getCause());
            assertEquals(ConfigException.Reason.BELOW_FLOOR, cause.reason());
            assertEquals("/severity/" + entry, cause.path());
            builder(p).build(); // without the appraiser, nothing of it is under the floor
        }
        Policy fine = Policy.fromJson(json("\"scheme.other\": \"info\""));
        builder(fine).appraiser(scheme).build();
        // A code policy the build cannot see lowering it: held at appraisal, also the WARNING an
        // appraiser reported for a check it put under the floor.
        AttestationResult r = builder(SNEAKY).appraiser(scheme).build().appraise(token(device, null),
                AppraisalContext.periodic());
        assertEquals(List.of("scheme.signature", "scheme.nonce.mismatch"), contraindicated(r));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        // An appraiser may put only its own checks under the floor.
        for (String entry : List.of("runtime.wx", "schemex.a", "scheme", "scheme.*.x", "*")) {
            EvidenceAppraiser greedy = new EvidenceAppraiser() {
                @Override
                public String id() {
                    return "scheme";
                }

                @Override
                public Set<String> floor() {
                    return Set.of(entry);
                }

                @Override
                public List<Finding> appraise(String dev, VerifiedEvidence e, AppraisalContext c) {
                    return List.of();
                }
            };
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> builder(Policy.defaults()).appraiser(greedy).build(), entry);
            assertTrue(e.getMessage().contains("floor entry " + entry), e.getMessage());
        }
    }

    @Test
    void staleEvidenceIsAcceptedOnlyThroughAcceptStaleWithinItsBoundAndSaysSo() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Verifier.builder().acceptStale(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Verifier.builder().acceptStale(Duration.ofSeconds(-1)));
        IllegalStateException shorter = assertThrows(IllegalStateException.class,
                () -> builder(Policy.defaults()).acceptStale(Duration.ofMinutes(10)).build());
        assertEquals("acceptStale(PT10M) must be longer than the max age PT10M", shorter.getMessage());

        Verifier strict = builder(Policy.defaults()).build();
        device.now = NOW.minus(Duration.ofHours(2));
        AttestationResult refused = strict.appraise(token(device, null), AppraisalContext.periodic());
        assertEquals(List.of(Checks.STALE), contraindicated(refused));

        setUp();
        List<Duration> nonceTtls = new ArrayList<>();
        DeviceStateStore memory = DeviceStateStore.inMemory();
        DeviceStateStore recording = new DeviceStateStore() {
            @Override
            public java.util.Optional<DeviceState> get(String d) {
                return memory.get(d);
            }

            @Override
            public boolean compareAndSet(String d, java.util.Optional<DeviceState> expected, DeviceState next) {
                return memory.compareAndSet(d, expected, next);
            }

            @Override
            public boolean useNonce(String d, byte[] nonce, Duration ttl) {
                nonceTtls.add(ttl);
                return memory.useNonce(d, nonce, ttl);
            }

            @Override
            public java.util.Optional<byte[]> appraiserState(String d, String appraiser) {
                return memory.appraiserState(d, appraiser);
            }

            @Override
            public boolean compareAndSetAppraiserState(String d, String appraiser, java.util.Optional<byte[]> expected,
                    byte[] next) {
                return memory.compareAndSetAppraiserState(d, appraiser, expected, next);
            }
        };
        Verifier offline = builder(Policy.defaults()).acceptStale(Duration.ofHours(72)).stateStore(recording).build();
        device.now = NOW.minus(Duration.ofHours(2));
        AttestationResult late = offline.appraise(token(device, NONCE), AppraisalContext.challenge(NONCE));
        assertEquals(TrustTier.AFFIRMING, late.status(), late.findings().toString());
        Finding told = late.findings(Checks.STALE_ACCEPTED).get(0);
        assertEquals(new Finding(Checks.STALE_ACCEPTED, TrustClaim.INSTANCE_IDENTITY, Severity.INFO, "/6",
                "issued after 2026-11-25T11:50:30Z, or after 2026-11-22T12:00:30Z under acceptStale(PT72H)",
                "2026-11-25T10:00:30Z (7200 s old)"), told);
        var ear = late.toEar(new VerifierId("attest", "test"));
        assertTrue(ear.submods().get("dev-1").extensions().get("attest.findings").text()
                .contains("\"check\":\"freshness.stale-accepted\""));
        // The nonce's use is remembered as long as evidence carrying it may be accepted.
        assertEquals(List.of(Duration.ofHours(72).plusMinutes(2)), nonceTtls);
        // Beyond the bound it is stale, whatever the policy: JSON cannot lower it, SNEAKY cannot either.
        device.now = NOW.minus(Duration.ofHours(80));
        AttestationResult older = offline.appraise(token(device, null), AppraisalContext.periodic());
        assertEquals(List.of(Checks.STALE), contraindicated(older));
        assertEquals("issued after 2026-11-22T12:00:30Z", older.findings(Checks.STALE).get(0).expected());
        other.now = NOW.minus(Duration.ofHours(80));
        AttestationResult sneaky = builder(SNEAKY).acceptStale(Duration.ofHours(72)).build()
                .appraise(token(other, null), AppraisalContext.periodic());
        assertEquals(List.of(Checks.STALE), contraindicated(sneaky));
        assertEquals(TrustTier.CONTRAINDICATED, sneaky.status());
        // A policy may weigh the accepted staleness itself (here: make it a warning).
        setUp();
        device.now = NOW.minus(Duration.ofHours(2));
        AttestationResult weighed = builder(Policy.fromJson(json("\"freshness.stale-accepted\": \"warning\"")))
                .acceptStale(Duration.ofHours(72)).build().appraise(token(device, null), AppraisalContext.periodic());
        assertEquals(TrustTier.WARNING, weighed.status(), weighed.findings().toString());
    }

    @Test
    void acceptStaleHasAStrictJsonFormWithARequiredCappedBound() throws Exception {
        String[][] bad = {
            {"true", "/accept-stale", "must be an object {\"up-to\": \"<ISO-8601 duration>\"}"},
            {"{}", "/accept-stale/up-to", "required: accepting stale evidence needs a bound"},
            {"{\"up-to\": null}", "/accept-stale/up-to", "must be an ISO-8601 duration such as \"PT72H\""},
            {"{\"up-to\": 259200}", "/accept-stale/up-to", "must be an ISO-8601 duration such as \"PT72H\""},
            {"{\"up-to\": \"72h\"}", "/accept-stale/up-to", "must be an ISO-8601 duration such as \"PT72H\""},
            {"{\"up-to\": \"PT0S\"}", "/accept-stale/up-to", "must be positive"},
            {"{\"up-to\": \"-PT1H\"}", "/accept-stale/up-to", "must be positive"},
            {"{\"up-to\": \"P30DT1S\"}", "/accept-stale/up-to", "must be at most PT720H (30 days)"},
        };
        for (String[] b : bad) {
            ConfigException e = assertThrows(ConfigException.class, () -> Policy.fromJson(
                    "{\"attest-policy\": 1, \"id\": \"offline\", \"accept-stale\": " + b[0] + "}"), b[0]);
            assertEquals(ConfigException.Reason.BAD_VALUE, e.reason(), b[0]);
            assertEquals(b[1], e.path(), b[0]);
            assertEquals("BAD_VALUE at " + b[1] + ": " + b[2], e.getMessage(), b[0]);
        }
        ConfigException unknown = assertThrows(ConfigException.class, () -> Policy.fromJson(
                "{\"attest-policy\": 1, \"id\": \"offline\", \"accept-stale\": {\"up-to\": \"PT72H\", \"upto\": \"P1D\"}}"));
        assertEquals(ConfigException.Reason.UNKNOWN_FIELD, unknown.reason());
        assertEquals("/accept-stale/upto", unknown.path());
        // Not a severity: the floor still refuses lowering freshness.stale itself.
        assertEquals(ConfigException.Reason.BELOW_FLOOR, assertThrows(ConfigException.class, () -> Policy.fromJson(
                "{\"attest-policy\": 1, \"id\": \"offline\", \"accept-stale\": {\"up-to\": \"PT72H\"}, \"severity\": "
                        + "{\"freshness.stale\": \"warning\"}}")).reason());
        assertEquals(java.util.Optional.of(Duration.ofDays(30)), Policy.fromJson(
                "{\"attest-policy\": 1, \"id\": \"offline\", \"accept-stale\": {\"up-to\": \"P30D\"}}").acceptStale());
        assertEquals(java.util.Optional.empty(), Policy.fromJson("{\"attest-policy\": 1, \"id\": \"strict\"}").acceptStale());
        // The Java setting has the same cap.
        assertEquals("acceptStale must be at most PT720H", assertThrows(IllegalArgumentException.class,
                () -> Verifier.builder().acceptStale(Duration.ofDays(30).plusSeconds(1))).getMessage());

        // At build: longer than the max age, and one bound only.
        Policy tooShort = Policy.fromJson("{\"attest-policy\": 1, \"id\": \"offline\", \"accept-stale\": {\"up-to\": \"PT10M\"}}");
        IllegalStateException shortBound = assertThrows(IllegalStateException.class, () -> builder(tooShort).build());
        ConfigException shortCause = assertInstanceOf(ConfigException.class, shortBound.getCause());
        assertEquals("BAD_VALUE at /accept-stale/up-to: policy offline accepts stale evidence up to PT10M, which must be "
                + "longer than the max age PT10M", shortCause.getMessage());
        Policy offline = Policy.fromJson("{\"attest-policy\": 1, \"id\": \"offline\", \"accept-stale\": {\"up-to\": \"PT72H\"}}");
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> builder(offline).acceptStale(Duration.ofHours(24)).build());
        assertEquals("/accept-stale/up-to", assertInstanceOf(ConfigException.class, twice.getCause()).path());
        builder(offline).acceptStale(Duration.ofHours(72)).build();

        // Appraisal: within the bound accepted and said so, exactly as with the Java setting; beyond it stale.
        Verifier v = builder(offline).build();
        device.now = NOW.minus(Duration.ofHours(2));
        AttestationResult late = v.appraise(token(device, null), AppraisalContext.periodic());
        assertEquals(TrustTier.AFFIRMING, late.status(), late.findings().toString());
        assertEquals("offline", late.policyId());
        assertEquals(List.of(new Finding(Checks.STALE_ACCEPTED, TrustClaim.INSTANCE_IDENTITY, Severity.INFO, "/6",
                "issued after 2026-11-25T11:50:30Z, or after 2026-11-22T12:00:30Z under acceptStale(PT72H)",
                "2026-11-25T10:00:30Z (7200 s old)")), late.findings(Checks.STALE_ACCEPTED));
        device.now = NOW.minus(Duration.ofHours(73));
        AttestationResult older = v.appraise(token(device, null), AppraisalContext.periodic());
        assertEquals(TrustTier.CONTRAINDICATED, older.status());
        assertEquals(List.of(Checks.STALE), contraindicated(older));
        assertEquals("issued after 2026-11-22T12:00:30Z", older.findings(Checks.STALE).get(0).expected());
        // Without it, the same 2-hour-old evidence is stale.
        setUp();
        device.now = NOW.minus(Duration.ofHours(2));
        assertEquals(List.of(Checks.STALE), contraindicated(builder(Policy.fromJson("{\"attest-policy\": 1, \"id\": \"strict\"}")).build()
                .appraise(token(device, null), AppraisalContext.periodic())));
    }

    private static EvidenceAppraiser throwing() {
        return new EvidenceAppraiser() {
            @Override
            public String id() {
                return "broken";
            }

            @Override
            public List<Finding> appraise(String dev, VerifiedEvidence e, AppraisalContext c) {
                throw new IllegalStateException("bug");
            }
        };
    }

    private static byte[] token(TestDevice d, byte[] nonce) {
        return call(() -> d.evidence(d.cycle(), nonce));
    }

    /** Evidence of {@code d}'s next cycle signed by {@code signer}'s key (another device's, or an impostor's). */
    private static byte[] sign(TestDevice signer, List<dev.attest.core.Measurement> ms) {
        return call(() -> signer.evidence(ms, null));
    }

    private static LogHead advance(TestDevice d) {
        LogHead h = d.log.head();
        d.lastSent = h;
        return h;
    }

    private static byte[] encode(TestDevice d, EatClaims.Builder b) {
        return call(() -> EvidenceEncoder.of(d.key).encode(b.build()));
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T call(Call<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
