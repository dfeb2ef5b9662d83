package dev.attest.examples.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.DigestAlgorithm;
import dev.attest.core.MeasurementLog;
import dev.attest.core.collectors.FileDigestCollector;
import dev.attest.evidence.Attester;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.LogExtent;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent fault injection against a real HTTPS peer: the verifier goes away for several periods and
 * comes back; the agent is stopped and started again. Every delivered token is decoded and its
 * signature verified, so the test checks the chain of deliveries from the evidence itself.
 */
class DeviceAgentTest {
    @TempDir
    Path dir;

    private final SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("dev-1")));

    private DeviceAgent agent(TestVerifier v, Path measured) throws Exception {
        return agent(v, measured, AgentMetrics.NONE);
    }

    private DeviceAgent agent(TestVerifier v, Path measured, AgentMetrics metrics) throws Exception {
        MeasurementLog log = MeasurementLog.open(dir.resolve("log.cbor"), DigestAlgorithm.SHA_256, "boot", 64);
        EvidenceQueue queue = EvidenceQueue.open(dir.resolve("queue"), 1000, 1 << 20);
        VerifierClient client = new VerifierClient(List.of(v.uri()), PinnedTls.pinned(List.of(v.pin())), "dev-1", metrics);
        return new DeviceAgent(Attester.builder().signer(key)
                .collector(FileDigestCollector.builder().path(measured).build()).period(Duration.ofMillis(200)),
                log, queue, client, metrics);
    }

    /** The value of the sample {@code name} (with its labels) in a Prometheus exposition. */
    private static double sample(String exposition, String name) {
        return exposition.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(name.length() + 1))).findFirst().orElseThrow(() -> new AssertionError(name + " in " + exposition));
    }

    private EatClaims claims(byte[] token) throws Exception {
        return EvidenceDecoder.builder(KeyResolver.single(key.verificationKey().orElseThrow())).build()
                .decode(token).claims();
    }

    /** {since.sequence, head.sequence} of each delivered token. */
    private List<long[]> spans(TestVerifier v) throws Exception {
        List<long[]> out = new ArrayList<>();
        for (byte[] b : v.received) {
            LogExtent x = claims(b).log().orElseThrow();
            out.add(new long[] {x.since().sequence(), x.head().sequence()});
        }
        return out;
    }

    private static void assertContiguous(List<long[]> spans) {
        for (int i = 1; i < spans.size(); i++) {
            assertEquals(spans.get(i - 1)[1], spans.get(i)[0], "evidence " + i + " continues the previous one");
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void verifierOutageLosesNothingAndRestartContinuesTheChain() throws Exception {
        Path measured = Files.writeString(dir.resolve("app.conf"), "v1");
        try (TestVerifier v = new TestVerifier(dir)) {
            v.start();
            DeviceAgent a = agent(v, measured);
            a.start();
            waitFor(() -> v.received.size() >= 2, "first deliveries");
            v.stop();
            int before = v.received.size();
            Thread.sleep(1000);
            assertTrue(a.queued() >= 3, "evidence queued while the verifier is down: " + a.queued());
            v.start();
            waitFor(() -> a.queued() == 0 && v.received.size() > before + 3, "queued evidence delivered");
            a.close();

            List<long[]> s = spans(v);
            assertEquals(0, s.get(0)[0]);
            assertContiguous(s);

            // A new agent process continues the same chain and the same queue.
            DeviceAgent again = agent(v, measured);
            again.start();
            int sofar = v.received.size();
            waitFor(() -> v.received.size() >= sofar + 2, "deliveries after restart");
            String answer = again.challenge();
            again.close();
            assertTrue(answer.startsWith("ok "), answer);
            List<long[]> all = spans(v);
            assertContiguous(all);
            assertEquals(0, again.refusedCount());
            // The challenged evidence carries the verifier's nonce.
            List<byte[]> nonces = claims(v.received.get(v.received.size() - 1)).nonces();
            assertEquals(1, nonces.size());
            assertArrayEquals(v.nonces.get(v.nonces.size() - 1), nonces.get(0));
        }
    }

    @Test
    void aCrashBetweenLogAndQueueIsCoveredOnRestart() throws Exception {
        Path measured = Files.writeString(dir.resolve("app.conf"), "v1");
        try (TestVerifier v = new TestVerifier(dir)) {
            v.start();
            DeviceAgent a = agent(v, measured);
            a.start();
            waitFor(() -> v.received.size() >= 2, "first deliveries");
            a.close();
            // The agent dies after appending a cycle to the log and before queueing its evidence.
            try (MeasurementLog log = MeasurementLog.open(dir.resolve("log.cbor"), DigestAlgorithm.SHA_256, "boot", 64)) {
                log.append(dev.attest.core.Measurement.builder(dev.attest.core.ComponentId.of("orphan"),
                        dev.attest.core.Layer.APPLICATION).collector("test").time(java.time.Instant.now()).value("n", 1L).build());
            }
            int before = v.received.size();
            DeviceAgent again = agent(v, measured);
            again.start();
            waitFor(() -> v.received.size() >= before + 2, "deliveries after restart");
            again.close();
            List<long[]> all = spans(v);
            assertContiguous(all);
            // The first evidence after the restart covers the orphaned entry and the new cycle's.
            long[] catchUp = all.get(before);
            assertEquals(2, catchUp[1] - catchUp[0]);
            assertEquals("orphan", claims(v.received.get(before)).log().orElseThrow().measurements().get(0)
                    .component().name());
        }
    }

    @Test
    void evidenceStaysQueuedWhileTheVerifierRefusesTheAgentAndTheMetricsSayWhy() throws Exception {
        Path measured = Files.writeString(dir.resolve("app.conf"), "v1");
        try (TestVerifier v = new TestVerifier(dir)) {
            v.start();
            v.evidenceStatus = 403;
            PrometheusAgentMetrics metrics = new PrometheusAgentMetrics(List.of(v.uri()));
            DeviceAgent a = agent(v, measured, metrics);
            metrics.watch(a);
            a.start();
            waitFor(() -> a.queued() >= 3, "evidence queued while the verifier refuses the agent");
            String refused = metrics.scrape();
            assertEquals(0, a.refusedCount(), "not refused evidence: refused credentials");
            assertTrue(v.received.isEmpty());
            String forbidden = "attest_agent_verifier_failures_total{failure=\"forbidden\",verifier=\"" + v.uri() + "\"}";
            assertTrue(sample(refused, forbidden) >= 1, refused);
            assertEquals(0.0, sample(refused, "attest_agent_evidence_accepted_total"));
            assertEquals(0.0, sample(refused, "attest_agent_evidence_refused_total"));
            assertTrue(sample(refused, "attest_agent_queue_depth") >= 3, refused);
            // Read one after the other while the agent works: a try may fall between the two readings.
            assertTrue(sample(refused, "attest_agent_evidence_sent_total") >= sample(refused, forbidden) - 1, refused);

            v.evidenceStatus = 200;
            waitFor(() -> a.queued() == 0 && v.received.size() >= 4, "queued evidence delivered");
            a.close();
            String after = metrics.scrape();
            List<long[]> s = spans(v);
            assertEquals(0, s.get(0)[0], "the first evidence was kept, not thrown away");
            assertContiguous(s);
            assertEquals(v.received.size(), sample(after, "attest_agent_evidence_accepted_total"));
            assertEquals(v.received.size(), sample(after, "attest_agent_evidence_queued_total"));
            assertEquals(0.0, sample(after, "attest_agent_queue_depth"));
            assertEquals(0.0, sample(after, "attest_agent_queue_oldest_age_seconds"));
            assertEquals(0.0, sample(after, "attest_agent_evidence_dropped_total"));
            assertTrue(sample(after, "attest_agent_cycle_seconds_count") >= v.received.size(), after);
            assertEquals(0.0, sample(after, "attest_agent_verifier_failures_total{failure=\"unreachable\",verifier=\""
                    + v.uri() + "\"}"));
        }
    }

    @Test
    void theAgentRefusesPlainHttp() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new VerifierClient(java.net.URI.create("http://127.0.0.1:1"), javax.net.ssl.SSLContext.getDefault(), "d"));
    }

}
