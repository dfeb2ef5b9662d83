package dev.attest.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.CollectionContext;
import dev.attest.core.Collector;
import dev.attest.core.ComponentId;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.core.collectors.FileDigestCollector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device-side entry point: real collectors, a real log, real keys; every token decoded and replayed. */
class AttesterTest {
    private static final byte[] NONCE = "challenge-0123456".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UEID = {0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T01:00:00.700Z"), ZoneOffset.UTC);

    private final SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("gw-1")));

    @TempDir
    Path dir;

    /** A collector of the user's own: counts its runs, in the KERNEL layer. */
    static final class Counter implements Collector {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public String id() {
            return "counter";
        }

        @Override
        public Layer layer() {
            return Layer.KERNEL;
        }

        @Override
        public List<Measurement> collect(CollectionContext ctx) {
            return List.of(Measurement.builder(ComponentId.of("counter"), Layer.KERNEL).collector(id())
                    .time(ctx.time()).value("runs", runs.incrementAndGet()).build());
        }
    }

    private Attester.Builder attester(MeasurementLog log) throws Exception {
        Path file = Files.writeString(dir.resolve("app.bin"), "application code");
        return Attester.builder().signer(key).log(log).clock(CLOCK).ueid(UEID).swname("gw-agent").swversion("2.1")
                .collector(FileDigestCollector.builder().path(file).layer(Layer.APPLICATION).build())
                .collector(new Counter());
    }

    private EatClaims decode(SignedEvidence e) throws EvidenceException {
        return EvidenceDecoder.builder(KeyResolver.single(key.verificationKey().orElseThrow())).build()
                .decode(e.token()).claims();
    }

    @Test
    void challengeEvidenceCarriesTheNonceIdentityAndTheExactLogExtent() throws Exception {
        MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-a", 64);
        try (Attester a = attester(log).build()) {
            LogHead before = log.head();
            SignedEvidence e = a.evidence(NONCE);
            EatClaims c = decode(e);
            assertEquals(1, c.nonces().size());
            assertArrayEquals(NONCE, c.nonces().get(0));
            assertArrayEquals(NONCE, e.nonce().orElseThrow());
            assertArrayEquals(UEID, c.ueid().orElseThrow());
            assertEquals(Optional.of("gw-agent"), c.swname());
            assertEquals(Optional.of("2.1"), c.swversion());
            assertEquals(Optional.of(EatProfile.PROFILE), c.profile());
            assertEquals(Optional.of(Instant.parse("2026-12-06T01:00:00Z")), c.iat());
            LogExtent x = c.log().orElseThrow();
            assertEquals(before, x.since());
            assertEquals(log.head(), x.head());
            assertEquals(2, x.head().sequence());
            assertEquals(x.head().head(), MeasurementLog.replay(x.since().head(), x.measurements()));
            assertEquals(List.of("application", "kernel"), List.copyOf(c.submods().keySet()));
            assertEquals("counter", c.submods().get("kernel").measurements().get(0).component().name());
            assertEquals(x.head(), a.covered());

            SignedEvidence next = a.evidence("challenge-second".getBytes(StandardCharsets.US_ASCII));
            assertEquals(e.head(), next.since());
            assertEquals(4, next.head().sequence());
        }
    }

    @Test
    void periodicEvidenceReachesTheSinkAsAnUnbrokenChain() throws Exception {
        MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-a", 256);
        BlockingQueue<SignedEvidence> sent = new LinkedBlockingQueue<>();
        try (Attester a = attester(log).period(Duration.ofMillis(50)).build()) {
            a.start(sent::add);
            List<SignedEvidence> got = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                got.add(sent.poll(10, TimeUnit.SECONDS));
            }
            LogHead expected = new LogHead(0, MeasurementLog.genesis(DigestAlgorithm.SHA_256), "boot-a");
            for (SignedEvidence e : got) {
                EatClaims c = decode(e);
                assertTrue(c.nonces().isEmpty());
                assertEquals(expected, c.log().orElseThrow().since());
                assertEquals(2, e.head().sequence() - e.since().sequence());
                expected = e.head();
            }
            assertThrows(IllegalStateException.class, () -> a.start(sent::add));
        }
    }

    @Test
    void cycleListenersSeeEveryCycleBeforeItsEvidence() throws Exception {
        MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-a", 64);
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Attester a = attester(log).listener(c -> seen.add("cycle " + c.number() + " " + c.measurements().size()
                + (c.nonce().isPresent() ? " challenged" : ""))).listener(c -> {
                    throw new IllegalStateException("a listener that fails changes nothing");
                }).build()) {
            SignedEvidence e = a.evidence(NONCE);
            assertEquals(List.of("cycle 1 2 challenged"), seen);
            assertEquals(2, e.head().sequence());
            a.evidence("challenge-second".getBytes(StandardCharsets.US_ASCII));
            assertEquals(List.of("cycle 1 2 challenged", "cycle 2 2 challenged"), seen);
        }
    }

    @Test
    void evidenceTheSinkRefusedIsCoveredByTheNext() throws Exception {
        MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-a", 256);
        BlockingQueue<SignedEvidence> sent = new LinkedBlockingQueue<>();
        AtomicBoolean refuse = new AtomicBoolean(true);
        try (Attester a = attester(log).period(Duration.ofMillis(50)).build()) {
            a.start(e -> {
                if (refuse.getAndSet(false)) {
                    throw new java.io.IOException("queue full");
                }
                sent.add(e);
            });
            SignedEvidence first = sent.poll(10, TimeUnit.SECONDS);
            assertEquals(0, first.since().sequence());
            assertEquals(4, first.head().sequence());
            assertEquals(4, decode(first).log().orElseThrow().measurements().size());
        }
    }

    @Test
    void signerFailureLeavesTheMeasurementsForTheNextEvidence() throws Exception {
        AtomicBoolean fail = new AtomicBoolean(true);
        Signer flaky = new Signer() {
            @Override
            public SignatureAlgorithm algorithm() {
                return key.algorithm();
            }

            @Override
            public Optional<KeyId> keyId() {
                return key.keyId();
            }

            @Override
            public byte[] sign(byte[] tbs) throws GeneralSecurityException {
                if (fail.getAndSet(false)) {
                    throw new GeneralSecurityException("token removed");
                }
                return key.sign(tbs);
            }
        };
        MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-a", 64);
        try (Attester a = attester(log).signer(flaky).build()) {
            EvidenceException e = assertThrows(EvidenceException.class, () -> a.evidence(NONCE));
            assertEquals(EvidenceException.Reason.SIGNING_FAILED, e.reason());
            assertEquals(2, log.head().sequence());
            SignedEvidence ok = a.evidence(NONCE);
            assertEquals(0, ok.since().sequence());
            assertEquals(4, ok.head().sequence());
            assertEquals(4, decode(ok).log().orElseThrow().measurements().size());
        }
    }

    @Test
    void aBadNonceIsRefusedBeforeAnythingIsMeasured() throws Exception {
        MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-a", 64);
        try (Attester a = attester(log).build()) {
            assertThrows(IllegalArgumentException.class, () -> a.evidence(new byte[7]));
            assertThrows(IllegalArgumentException.class, () -> a.evidence(new byte[65]));
            assertEquals(0, log.head().sequence());
        }
    }

    @Test
    void aRestartedAttesterResumesAfterWhatWasHandedOutAndContinuesThePersistedChain() throws Exception {
        Path file = dir.resolve("attest.log");
        SignedEvidence handedOut;
        try (Attester a = attester(MeasurementLog.open(file, DigestAlgorithm.SHA_256, "boot-a", 64)).build()) {
            handedOut = a.evidence(NONCE);
            // A cycle whose evidence never left the device (the process died before sending it).
            a.evidence("challenge-lost-1".getBytes(StandardCharsets.US_ASCII));
        }
        try (Attester a = attester(MeasurementLog.open(file, DigestAlgorithm.SHA_256, "boot-a", 64))
                .resumeAfter(handedOut.head().sequence()).build()) {
            SignedEvidence e = a.evidence(NONCE);
            assertEquals(handedOut.head(), e.since());
            assertEquals(6, e.head().sequence());
            LogExtent x = decode(e).log().orElseThrow();
            assertEquals(x.head().head(), MeasurementLog.replay(handedOut.head().head(), x.measurements()));
        }
        IllegalArgumentException gone = assertThrows(IllegalArgumentException.class,
                () -> attester(MeasurementLog.open(file, DigestAlgorithm.SHA_256, "boot-a", 64)).resumeAfter(7).build());
        assertTrue(gone.getMessage().contains("past the log's head 6"), gone.getMessage());
    }

    @Test
    void theLogFromAPathIsOpenedAndLocked() throws Exception {
        Path file = dir.resolve("state/attest.log");
        Files.createDirectories(file.getParent());
        try (Attester a = Attester.builder().signer(key).log(file).collector(new Counter()).build()) {
            assertEquals(1, a.evidence(NONCE).head().sequence());
            dev.attest.core.MeasurementLogException locked = assertThrows(dev.attest.core.MeasurementLogException.class,
                    () -> MeasurementLog.open(file, DigestAlgorithm.SHA_256, "x", 8));
            assertEquals(dev.attest.core.MeasurementLogException.Reason.LOCKED, locked.reason());
        }
        try (MeasurementLog reopened = MeasurementLog.open(file, DigestAlgorithm.SHA_256, "x", 8)) {
            assertEquals(1, reopened.head().sequence());
        }
    }

    @Test
    void aSignerAndALogAreRequired() {
        assertEquals("no signer", assertThrows(IllegalStateException.class,
                () -> Attester.builder().collector(new Counter()).build()).getMessage());
        assertThrows(IllegalStateException.class,
                () -> Attester.builder().signer(key).collector(new Counter()).build());
        assertThrows(IllegalArgumentException.class, () -> Attester.builder().signer(key)
                .log(MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "b", 8)).build());
    }
}
