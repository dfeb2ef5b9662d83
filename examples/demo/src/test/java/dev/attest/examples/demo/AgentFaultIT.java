package dev.attest.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.examples.agent.PinnedTls;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent fault injection with the real processes: the verifier is stopped for several periods and
 * restarted (every queued evidence is delivered, in order, none lost), and the agent is killed
 * with SIGKILL and restarted (the chain continues). Every appraisal after the first must be
 * affirming, with no continuity finding.
 */
class AgentFaultIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STARTED = Pattern.compile("cloud verifier on (https://\\S+)\\s+pin (\\S+)");

    @Test
    void verifierOutageAndAgentKillLoseNothing(@TempDir Path dir) throws Exception {
        Demo h = new Demo(dir, new PrintStream(new ByteArrayOutputStream()));
        try {
            Path state = dir.resolve("verifier");
            Process verifier = h.java(dir.resolve("verifier-1.log"), "dev.attest.examples.verifier.VerifierMain",
                    "--state", state.toString(), "--port", "0", "--capture-first");
            Matcher m = STARTED.matcher(Demo.awaitLine(dir.resolve("verifier-1.log"), STARTED, verifier,
                    java.time.Duration.ofSeconds(30)));
            assertTrue(m.find());
            URI base = URI.create(m.group(1));
            String pin = m.group(2);
            HttpClient http = HttpClient.newBuilder().sslContext(PinnedTls.pinned(List.of(pin))).build();
            SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of(Demo.DEVICE)));
            Path device = Files.createDirectories(dir.resolve("device"));
            Files.writeString(device.resolve("device.key.pem"), Pem.privateKey(key.privateKey()));
            Files.writeString(device.resolve("app.conf"), "v1\n");
            HttpResponse<String> enrol = http.send(HttpRequest.newBuilder(base.resolve("/v1/devices"))
                    .header("Authorization", "Bearer " + Files.readString(state.resolve("admin.token")).trim())
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("device", Demo.DEVICE)
                            .put("key", Pem.publicKey(key.verificationKey().orElseThrow().publicKey())).put("period", "PT1S")
                            .toString()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, enrol.statusCode(), enrol.body());
            Files.writeString(device.resolve("agent.properties"), String.join("\n", "device.id = " + Demo.DEVICE,
                    "key = device.key.pem", "verifier.url = " + base, "verifier.pin = " + pin, "period = PT1S",
                    "files = app.conf", "builtin = false", "state.dir = agent-state", ""));
            Process agent = h.java(dir.resolve("agent-1.log"), "dev.attest.examples.agent.AgentMain",
                    "--config", device.resolve("agent.properties").toString());
            List<JsonNode> results = new ArrayList<>();
            String viewer = Files.readString(state.resolve("viewer.token")).trim();
            long last = collect(h, http, base, viewer, -1, agent, 3, results);

            // The verifier goes away for about four periods and comes back on the same port and state.
            verifier.destroy();
            verifier.waitFor();
            Thread.sleep(4500);
            Process verifier2 = h.java(dir.resolve("verifier-2.log"), "dev.attest.examples.verifier.VerifierMain",
                    "--state", state.toString(), "--port", Integer.toString(base.getPort()), "--capture-first");
            Demo.awaitLine(dir.resolve("verifier-2.log"), STARTED, verifier2, java.time.Duration.ofSeconds(30));
            int before = results.size();
            last = collect(h, http, base, viewer, last, agent, 5, results);
            assertTrue(results.size() - before >= 5);

            // The agent dies without warning and starts again.
            agent.destroyForcibly();
            agent.waitFor();
            Process agent2 = h.java(dir.resolve("agent-2.log"), "dev.attest.examples.agent.AgentMain",
                    "--config", device.resolve("agent.properties").toString());
            collect(h, http, base, viewer, last, agent2, 3, results);

            // The history: sequences strictly increase, and after the first capture every
            // appraisal is affirming with no continuity finding.
            for (int i = 1; i < results.size(); i++) {
                JsonNode r = results.get(i);
                assertTrue(r.get("sequence").asLong() > results.get(i - 1).get("sequence").asLong());
                if (i >= 1) {
                    assertEquals("affirming", r.get("status").asText(), r.toString());
                }
            }
        } finally {
            h.stopAll();
        }
    }

    /** Waits for {@code n} more results after sequence {@code after}, collecting them; returns the last sequence. */
    private static long collect(Demo h, HttpClient http, URI base, String viewer, long after, Process agent, int n,
            List<JsonNode> into)
            throws Exception {
        long last = after;
        int got = 0;
        Instant deadline = Instant.now().plusSeconds(60);
        while (got < n) {
            for (JsonNode r : h.newResults(http, base, viewer, last, agent, deadline)) {
                into.add(r);
                last = r.get("sequence").asLong();
                got++;
            }
        }
        return last;
    }
}
