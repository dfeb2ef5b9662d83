package dev.attest.examples.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.DigestAlgorithm;
import dev.attest.core.MeasurementLog;
import dev.attest.core.MeasurementScheduler;
import dev.attest.core.collectors.FileDigestCollector;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent fault injection against a real HTTPS peer: the verifier goes away for several periods and
 * comes back; the agent is stopped and started again. The signer here encodes only what the
 * agent hands it (the head before, the head after, the nonce) so the test can check the chain of
 * deliveries; the end-to-end test uses the real EAT signer.
 */
class DeviceAgentTest {
    @TempDir
    Path dir;

    /** since.sequence, head.sequence, nonce length, nonce. */
    private static final EvidenceSigner SIGNER = (since, entries, head, nonce) -> {
        byte[] n = nonce.orElse(new byte[0]);
        return ByteBuffer.allocate(20 + n.length).putLong(since.sequence()).putLong(head.sequence())
                .putInt(n.length).put(n).array();
    };

    private DeviceAgent agent(TestVerifier v, Path measured) throws Exception {
        MeasurementLog log = MeasurementLog.open(dir.resolve("log.cbor"), DigestAlgorithm.SHA_256, "boot", 64);
        EvidenceQueue queue = EvidenceQueue.open(dir.resolve("queue"), 1000, 1 << 20);
        VerifierClient client = new VerifierClient(v.uri(), PinnedTls.pinned(List.of(v.pin())), "dev-1");
        return new DeviceAgent(log, queue, SIGNER, client, MeasurementScheduler.builder()
                .collector(FileDigestCollector.builder().path(measured).build()).period(Duration.ofMillis(200)));
    }

    private static List<long[]> spans(TestVerifier v) {
        List<long[]> out = new ArrayList<>();
        for (byte[] b : v.received) {
            ByteBuffer bb = ByteBuffer.wrap(b);
            out.add(new long[] {bb.getLong(), bb.getLong()});
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
            byte[] last = v.received.get(v.received.size() - 1);
            ByteBuffer bb = ByteBuffer.wrap(last, 16, last.length - 16);
            byte[] nonce = new byte[bb.getInt()];
            bb.get(nonce);
            assertArrayEquals(v.nonces.get(v.nonces.size() - 1), nonce);
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
            long[] catchUp = all.get(before);
            assertEquals(1, catchUp[1] - catchUp[0], "the orphaned entry is covered by its own evidence");
        }
    }

    @Test
    void theAgentRefusesPlainHttp() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new VerifierClient(java.net.URI.create("http://127.0.0.1:1"), javax.net.ssl.SSLContext.getDefault(), "d"));
    }

}
