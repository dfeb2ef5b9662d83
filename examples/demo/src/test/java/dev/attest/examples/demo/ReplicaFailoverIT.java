package dev.attest.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.examples.agent.PinnedTls;
import dev.attest.verify.PostgresTestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two cloud-verifier processes on one PostgreSQL and an agent given both: one replica is killed
 * without warning mid-run. The agent fails over, its queue drains to the survivor, every
 * sequence the device produced is accepted exactly once (a resend of evidence the dead replica
 * had already accepted is refused as a replay, never accepted again), and the chain continues
 * without a break.
 */
class ReplicaFailoverIT {
    private static final Pattern STARTED = Pattern.compile("cloud verifier on (https://\\S+)\\s+pin (\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void killingOneReplicaLosesNothingAndAcceptsNothingTwice(@TempDir Path dir) throws Exception {
        PostgresTestDatabase db = new PostgresTestDatabase();
        String url = db.freshSchemaUrl();
        Demo h = new Demo(dir, new PrintStream(new ByteArrayOutputStream()));
        try {
            Process a = h.java(dir.resolve("a.log"), "dev.attest.examples.verifier.VerifierMain",
                    "--state", dir.resolve("a").toString(), "--port", "0", "--jdbc", url);
            Matcher ma = started(dir.resolve("a.log"), a);
            URI baseA = URI.create(ma.group(1));
            SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of(Demo.DEVICE)));
            HttpClient httpA = HttpClient.newBuilder().sslContext(PinnedTls.pinned(List.of(ma.group(2)))).build();
            HttpResponse<String> enrol = httpA.send(HttpRequest.newBuilder(baseA.resolve("/v1/devices"))
                    .header("Authorization", "Bearer " + Files.readString(dir.resolve("a/admin.token")).trim())
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("device", Demo.DEVICE)
                            .put("key", Pem.publicKey(key.verificationKey().orElseThrow().publicKey())).toString()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, enrol.statusCode(), enrol.body());
            // The second replica starts after the enrolment and finds it in the shared database.
            Process b = h.java(dir.resolve("b.log"), "dev.attest.examples.verifier.VerifierMain",
                    "--state", dir.resolve("b").toString(), "--port", "0", "--jdbc", url);
            Matcher mb = started(dir.resolve("b.log"), b);
            URI baseB = URI.create(mb.group(1));
            HttpClient httpB = HttpClient.newBuilder().sslContext(PinnedTls.pinned(List.of(mb.group(2)))).build();
            String viewerB = Files.readString(dir.resolve("b/viewer.token")).trim();

            Path device = Files.createDirectories(dir.resolve("device"));
            Files.writeString(device.resolve("device.key.pem"), Pem.privateKey(key.privateKey()));
            Files.writeString(device.resolve("app.conf"), "v1\n");
            Files.writeString(device.resolve("agent.properties"), String.join("\n", "device.id = " + Demo.DEVICE,
                    "key = device.key.pem", "verifier.url = " + baseA + "," + baseB,
                    "verifier.pin = " + ma.group(2) + "," + mb.group(2), "period = PT0.5S",
                    "files = app.conf", "builtin = false", "state.dir = agent-state", ""));
            Process agent = h.java(dir.resolve("agent.log"), "dev.attest.examples.agent.AgentMain",
                    "--config", device.resolve("agent.properties").toString());

            awaitResults(httpB, baseB, viewerB, 4, agent);
            a.destroyForcibly();
            a.waitFor();
            int before = history(httpB, baseB, viewerB).size();
            List<JsonNode> all = awaitResults(httpB, baseB, viewerB, before + 6, agent);

            // Every sequence accepted exactly once; anything else is a refused resend of one.
            Map<Long, Integer> accepted = new HashMap<>();
            for (JsonNode r : all) {
                String findings = r.get("findings").toString();
                assertFalse(findings.contains("continuity.broken"), r.toString());
                if (findings.contains("continuity.replay")) {
                    continue;
                }
                accepted.merge(r.get("sequence").asLong(), 1, Integer::sum);
            }
            accepted.forEach((seq, n) -> assertEquals(1, n, "sequence " + seq + " accepted " + n + " times"));
            for (JsonNode r : all) {
                if (r.get("findings").toString().contains("continuity.replay")) {
                    assertTrue(accepted.containsKey(r.get("sequence").asLong()), "a replay of an accepted sequence: " + r);
                }
            }
            assertTrue(accepted.size() >= before + 4, accepted.toString());
            // The agent's queue drained: it holds at most the evidence of the period in flight.
            Thread.sleep(1500);
            long queued;
            try (var files = Files.list(device.resolve("agent-state/queue"))) {
                queued = files.filter(f -> f.getFileName().toString().endsWith(".evidence")).count();
            }
            assertTrue(queued <= 2, queued + " evidences still queued");
            // No evidence was dropped from the queue either.
            assertFalse(Files.exists(device.resolve("agent-state/queue/dropped-count"))
                    && !Files.readString(device.resolve("agent-state/queue/dropped-count")).trim().equals("0"));
        } finally {
            h.stopAll();
            db.dropSchemas();
        }
    }

    private static Matcher started(Path log, Process p) throws Exception {
        Matcher m = STARTED.matcher(Demo.awaitLine(log, STARTED, p, Duration.ofSeconds(30)));
        assertTrue(m.find());
        return m;
    }

    /** The device's whole history, oldest first, read page by page. */
    private static List<JsonNode> history(HttpClient http, URI base, String viewer) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        String query = "?limit=100";
        while (query != null) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/devices/" + Demo.DEVICE + query))
                    .header("Authorization", "Bearer " + viewer).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                break;
            }
            JsonNode page = JSON.readTree(r.body());
            page.path("history").forEach(out::add);
            query = page.has("next") ? "?limit=100&before=" + page.get("next").asText() : null;
        }
        java.util.Collections.reverse(out);
        return out;
    }

    private static List<JsonNode> awaitResults(HttpClient http, URI base, String viewer, int n, Process agent)
            throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (true) {
            List<JsonNode> h = history(http, base, viewer);
            if (h.size() >= n) {
                return h;
            }
            assertTrue(agent.isAlive(), "the agent exited");
            assertTrue(Instant.now().isBefore(deadline), "only " + h.size() + " of " + n + " results in 60 s");
            Thread.sleep(200);
        }
    }
}
