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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's Prometheus endpoint with the real processes: while the verifier is down the queue
 * depth and the oldest evidence's age grow on {@code /metrics} and the verifier's failures are
 * counted under its URL; once the verifier is up the queue drains to 0 and every queued evidence
 * is counted accepted and appraised. The endpoint answers only with the agent's token.
 */
class AgentMetricsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STARTED = Pattern.compile("cloud verifier on (https://\\S+)\\s+pin (\\S+)");
    private static final Pattern METRICS = Pattern.compile("metrics on (http://127\\.0\\.0\\.1:\\d+/metrics)");

    @Test
    void queueDepthGrowsWhileTheVerifierIsDownAndDrainsWhenItIsBack(@TempDir Path dir) throws Exception {
        Demo h = new Demo(dir, new PrintStream(new ByteArrayOutputStream()));
        try {
            // The verifier runs once to make its key and enrol the device, then goes away.
            Path state = dir.resolve("verifier");
            Process first = h.java(dir.resolve("verifier-1.log"), "dev.attest.examples.verifier.VerifierMain",
                    "--state", state.toString(), "--port", "0", "--capture-first");
            Matcher m = STARTED.matcher(Demo.awaitLine(dir.resolve("verifier-1.log"), STARTED, first, Duration.ofSeconds(30)));
            assertTrue(m.find());
            URI base = URI.create(m.group(1));
            String pin = m.group(2);
            HttpClient https = HttpClient.newBuilder().sslContext(PinnedTls.pinned(List.of(pin))).build();
            SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of(Demo.DEVICE)));
            Demo.enrol(https, base, Files.readString(state.resolve("admin.token")).trim(), Demo.DEVICE, key);
            first.destroy();
            first.waitFor();

            Path device = Files.createDirectories(dir.resolve("device"));
            Files.writeString(device.resolve("device.key.pem"), Pem.privateKey(key.privateKey()));
            Files.writeString(device.resolve("app.conf"), "v1\n");
            Files.writeString(device.resolve("agent.properties"), String.join("\n", "device.id = " + Demo.DEVICE,
                    "key = device.key.pem", "verifier.url = " + base, "verifier.pin = " + pin, "period = PT0.5S",
                    "files = app.conf", "builtin = false", "state.dir = agent-state", "metrics.port = 0", ""));
            Process agent = h.java(dir.resolve("agent.log"), "dev.attest.examples.agent.AgentMain",
                    "--config", device.resolve("agent.properties").toString());
            Matcher mm = METRICS.matcher(Demo.awaitLine(dir.resolve("agent.log"), METRICS, agent, Duration.ofSeconds(30)));
            assertTrue(mm.find());
            URI metrics = URI.create(mm.group(1));
            String token = Files.readString(device.resolve("agent-state/metrics.token")).trim();
            assertTrue(token.matches("[0-9a-f]{48}"), "a 192-bit token");
            assertTrue(Files.readString(dir.resolve("agent.log")).indexOf(token) < 0, "the token is never logged");

            // Without the token, with a wrong one, with another scheme: 401 and one JSON line.
            HttpClient http = HttpClient.newHttpClient();
            for (Optional<String> auth : List.of(Optional.<String>empty(), Optional.of("Bearer " + "0".repeat(48)),
                    Optional.of("Basic " + token), Optional.of("Bearer " + token.substring(1)))) {
                HttpRequest.Builder r = HttpRequest.newBuilder(metrics).GET();
                auth.ifPresent(a -> r.header("Authorization", a));
                HttpResponse<String> refused = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(401, refused.statusCode());
                assertEquals("{\"error\":\"metrics need the agent's metrics token\"}", refused.body());
            }
            HttpResponse<String> other = http.send(HttpRequest.newBuilder(metrics.resolve("/"))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());

            String failures = "attest_agent_verifier_failures_total{failure=\"unreachable\",verifier=\"" + base + "\"}";
            Map<String, Double> down = await(http, metrics, token, agent, s -> s.get("attest_agent_queue_depth") >= 4);
            double depth = down.get("attest_agent_queue_depth");
            // Meters are read one after the other while the agent works: a cycle may fall between
            // two readings, so comparisons across meters allow one.
            assertEquals(0.0, down.get("attest_agent_evidence_accepted_total"));
            assertEquals(0.0, down.get("attest_agent_evidence_refused_total"));
            assertEquals(0.0, down.get("attest_agent_evidence_dropped_total"));
            assertTrue(Math.abs(down.get("attest_agent_evidence_queued_total") - depth) <= 1, "nothing left the queue: " + down);
            assertTrue(down.get(failures) >= depth - 1, down.toString());
            assertTrue(down.get("attest_agent_evidence_sent_total") >= depth - 1, down.toString());
            assertTrue(down.get("attest_agent_cycle_seconds_count") >= depth - 1, down.toString());
            assertTrue(down.get("attest_agent_queue_oldest_age_seconds") >= 1.0, down.toString());
            Map<String, Double> later = await(http, metrics, token, agent,
                    s -> s.get("attest_agent_queue_depth") >= depth + 2);
            assertTrue(later.get("attest_agent_queue_oldest_age_seconds") > down.get("attest_agent_queue_oldest_age_seconds"),
                    "the oldest evidence waits longer: " + down + " then " + later);

            // The verifier comes back on the same port and state: the queue drains to 0.
            Process second = h.java(dir.resolve("verifier-2.log"), "dev.attest.examples.verifier.VerifierMain",
                    "--state", state.toString(), "--port", Integer.toString(base.getPort()), "--capture-first");
            Demo.awaitLine(dir.resolve("verifier-2.log"), STARTED, second, Duration.ofSeconds(30));
            Map<String, Double> up = await(http, metrics, token, agent, s -> s.get("attest_agent_queue_depth") == 0.0
                    && s.get("attest_agent_evidence_accepted_total") >= later.get("attest_agent_queue_depth"));
            assertEquals(0.0, up.get("attest_agent_queue_oldest_age_seconds"));
            assertEquals(0.0, up.get("attest_agent_evidence_refused_total"));
            assertEquals(0.0, up.get("attest_agent_evidence_dropped_total"));
            double accepted = up.get("attest_agent_evidence_accepted_total");

            // Every evidence the agent counted accepted is in the verifier's history, once.
            String viewer = Files.readString(state.resolve("viewer.token")).trim();
            HttpResponse<String> history = https.send(HttpRequest.newBuilder(base.resolve("/v1/devices/" + Demo.DEVICE
                    + "?limit=500")).header("Authorization", "Bearer " + viewer).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, history.statusCode(), history.body());
            JsonNode results = JSON.readTree(history.body()).get("history");
            assertTrue(results.size() >= accepted, accepted + " accepted, " + results.size() + " appraised");
            for (JsonNode r : results) {
                assertFalse(r.get("findings").toString().matches(".*continuity\\.(broken|replay).*"), r.toString());
            }
        } finally {
            h.stopAll();
        }
    }

    /** Scrapes until {@code done} holds for the samples; returns them (name with labels to value). */
    private static Map<String, Double> await(HttpClient http, URI metrics, String token, Process agent,
            Predicate<Map<String, Double>> done) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).header("Authorization", "Bearer " + token)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(Optional.of("text/plain; version=0.0.4; charset=utf-8"), r.headers().firstValue("Content-Type"));
            Map<String, Double> samples = new HashMap<>();
            for (String line : r.body().lines().toList()) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    int space = line.lastIndexOf(' ');
                    samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                }
            }
            if (done.test(samples)) {
                return samples;
            }
            if (!agent.isAlive() || Instant.now().isAfter(deadline)) {
                throw new AssertionError("metrics never got there: " + r.body());
            }
            Thread.sleep(250);
        }
    }
}
