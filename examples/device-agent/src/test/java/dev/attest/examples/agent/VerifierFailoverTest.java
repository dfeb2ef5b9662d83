package dev.attest.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's client with two verifier replicas, real HTTPS on loopback: it stays with the one
 * that answered, fails over when that one is gone or answers 503, and fails only when both do.
 */
class VerifierFailoverTest {
    @Test
    void failsOverToTheNextVerifierAndStaysThere(@TempDir Path dir) throws Exception {
        try (TestVerifier one = new TestVerifier(Files.createDirectories(dir.resolve("one")));
                TestVerifier two = new TestVerifier(Files.createDirectories(dir.resolve("two")))) {
            one.start();
            two.start();
            VerifierClient client = new VerifierClient(List.of(one.uri(), two.uri()),
                    PinnedTls.pinned(List.of(one.pin(), two.pin())), "dev-1");
            assertEquals(200, client.send(bytes("e1")).status());
            assertEquals(1, one.received.size());

            one.stop();
            assertEquals(200, client.send(bytes("e2")).status());
            one.start();
            assertEquals(200, client.send(bytes("e3")).status());
            assertEquals(List.of("e2", "e3"), texts(two), "stays with the verifier that answered");
            assertEquals(List.of("e1"), texts(one));

            two.evidenceStatus = 503;
            assertEquals(200, client.send(bytes("e4")).status());
            assertEquals(List.of("e1", "e4"), texts(one));

            one.evidenceStatus = 503;
            VerifierClient.Delivery refused = client.send(bytes("e5"));
            assertEquals(503, refused.status());
            assertEquals(false, refused.accepted());

            one.stop();
            two.stop();
            assertThrows(IOException.class, () -> client.send(bytes("e6")));
            assertEquals(List.of("e1", "e4"), texts(one), "refused evidence is recorded nowhere");
            assertEquals(List.of("e2", "e3"), texts(two));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static List<String> texts(TestVerifier v) {
        return v.received.stream().map(b -> new String(b, StandardCharsets.US_ASCII)).toList();
    }
}
