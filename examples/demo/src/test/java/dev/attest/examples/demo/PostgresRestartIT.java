package dev.attest.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.examples.agent.PinnedTls;
import dev.attest.verify.PostgresTestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real PostgreSQL restarted under load: a cloud-verifier process on the test database and
 * three device agents delivering evidence every 0.4 s; the cluster serving the database is
 * stopped ({@code pg_ctlcluster VERSION NAME stop -m fast}, which ends every session) and started
 * again a moment later, the service running on. While the database is down {@code /readyz}
 * answers 503, appraisals answer 503 (each agent logs it and keeps its evidence queued), and the
 * service counts the refusals; afterwards {@code /readyz} is 200 again without the service being
 * restarted, the agents' queues drain, every evidence queued during the outage is accepted,
 * every sequence is accepted exactly once and no device's chain breaks.
 *
 * <p>Restarting a cluster needs root (CI runs the tests as root); elsewhere the test is skipped
 * saying so, and under {@code CI=true} it fails when it cannot restart. The cluster is started
 * again in any case, also when an assertion fails, and is down only for the few seconds the
 * outage needs (other builds on the machine may share it).
 */
class PostgresRestartIT {
    private static final Pattern STARTED = Pattern.compile("cloud verifier on (https://\\S+)\\s+pin (\\S+)");
    private static final Pattern ITEM = Pattern.compile("(\\d{20})\\.evidence");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEVICES = 3;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(55);

    @Test
    void restartingPostgresUnderLoadLosesNothingAndAcceptsNothingTwice(@TempDir Path dir) throws Exception {
        PostgresTestDatabase db = new PostgresTestDatabase();
        String url = db.freshSchemaUrl();
        Cluster cluster = Cluster.serving(url);
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        Demo h = new Demo(dir, new PrintStream(new ByteArrayOutputStream()));
        boolean stopped = false;
        try {
            Process verifier = h.java(dir.resolve("verifier.log"), "dev.attest.examples.verifier.VerifierMain",
                    "--state", dir.resolve("verifier").toString(), "--port", "0", "--jdbc", url);
            Matcher m = STARTED.matcher(Demo.awaitLine(dir.resolve("verifier.log"), STARTED, verifier,
                    Duration.ofSeconds(30)));
            assertTrue(m.find());
            URI base = URI.create(m.group(1));
            String pin = m.group(2);
            HttpClient http = HttpClient.newBuilder().sslContext(PinnedTls.pinned(List.of(pin)))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String admin = Files.readString(dir.resolve("verifier/admin.token")).trim();
            String viewer = Files.readString(dir.resolve("verifier/viewer.token")).trim();

            List<String> devices = new ArrayList<>();
            List<Path> deviceDirs = new ArrayList<>();
            for (int i = 0; i < DEVICES; i++) {
                String id = "pg-restart-" + i;
                SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of(id)));
                HttpResponse<String> enrol = http.send(HttpRequest.newBuilder(base.resolve("/v1/devices"))
                        .header("Authorization", "Bearer " + admin)
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("device", id)
                                .put("key", Pem.publicKey(key.verificationKey().orElseThrow().publicKey())).toString()))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(201, enrol.statusCode(), enrol.body());
                Path device = Files.createDirectories(dir.resolve(id));
                Files.writeString(device.resolve("device.key.pem"), Pem.privateKey(key.privateKey()));
                Files.writeString(device.resolve("app.conf"), "v1\n");
                Files.writeString(device.resolve("agent.properties"), String.join("\n", "device.id = " + id,
                        "key = device.key.pem", "verifier.url = " + base, "verifier.pin = " + pin,
                        "period = PT0.4S", "files = app.conf", "builtin = false", "state.dir = agent-state", ""));
                h.java(device.resolve("agent.log"), "dev.attest.examples.agent.AgentMain",
                        "--config", device.resolve("agent.properties").toString());
                devices.add(id);
                deviceDirs.add(device);
            }
            for (String id : devices) {
                awaitHistory(http, base, viewer, id, 3, deadline);
            }
            assertEquals(200, get(http, base, "/readyz", Optional.empty()).statusCode());
            assertEquals(0.0, storeErrors(http, base, viewer));

            // The outage: the cluster really stops; every session of the service's pool ends.
            stopped = true;
            cluster.run("stop", "-m", "fast");
            awaitStatus(http, base, "/readyz", 503, deadline);
            assertEquals(200, get(http, base, "/healthz", Optional.empty()).statusCode(), "alive, only not ready");
            // Every agent is told 503 and keeps its evidence; the service counts the refusals.
            Map<String, Set<Long>> queuedDuringOutage = new HashMap<>();
            for (int i = 0; i < DEVICES; i++) {
                Path log = deviceDirs.get(i).resolve("agent.log");
                awaitLogLine(log, "verifier busy (HTTP 503)", deadline);
                Set<Long> queued = queued(deviceDirs.get(i));
                assertFalse(queued.isEmpty(), devices.get(i) + " queued nothing while the database was down");
                queuedDuringOutage.put(devices.get(i), queued);
            }
            cluster.run("start");
            stopped = false;

            awaitStatus(http, base, "/readyz", 200, deadline);
            assertTrue(verifier.isAlive(), "the service ran on through the restart");
            assertTrue(storeErrors(http, base, viewer) >= DEVICES, "the 503s are counted");
            for (int i = 0; i < DEVICES; i++) {
                String id = devices.get(i);
                Set<Long> waiting = queuedDuringOutage.get(id);
                // The queue drains: everything queued during the outage is appraised, and more after it.
                List<JsonNode> all = awaitHistory(http, base, viewer, id, 0, deadline, r -> accepted(r).keySet()
                        .containsAll(waiting) && accepted(r).keySet().stream().anyMatch(s -> s > Collections.max(waiting)));
                Map<Long, Integer> accepted = accepted(all);
                accepted.forEach((seq, n) -> assertEquals(1, n, id + ": sequence " + seq + " accepted " + n + " times"));
                long previous = -1;
                for (JsonNode r : all) {
                    String findings = r.get("findings").toString();
                    assertFalse(findings.contains("continuity.broken"), id + ": " + r);
                    if (findings.contains("continuity.replay")) {
                        assertTrue(accepted.containsKey(r.get("sequence").asLong()), "a replay of an accepted sequence: " + r);
                    } else {
                        assertTrue(r.get("sequence").asLong() > previous, id + ": the chain goes forward: " + r);
                        previous = r.get("sequence").asLong();
                    }
                }
                Path log = deviceDirs.get(i).resolve("agent.log");
                assertFalse(Files.readString(log).contains("verifier refused evidence"), Files.readString(log));
                Path dropped = deviceDirs.get(i).resolve("agent-state/queue/dropped-count");
                assertTrue(!Files.exists(dropped) || Files.readString(dropped).trim().equals("0"), id + " dropped evidence");
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (queued(deviceDirs.get(i)).size() > 2) {
                    assertTrue(System.nanoTime() < until, id + ": " + queued(deviceDirs.get(i)) + " still queued");
                    Thread.sleep(100);
                }
            }
            assertTrue(System.nanoTime() < deadline, "bounded: the whole run within 55 s");
        } finally {
            try {
                if (stopped) {
                    cluster.run("start");
                }
            } finally {
                h.stopAll();
                db.dropSchemas();
            }
        }
    }

    /** Per sequence, how often it was accepted (a refused replay does not count). */
    private static Map<Long, Integer> accepted(List<JsonNode> history) {
        Map<Long, Integer> out = new HashMap<>();
        for (JsonNode r : history) {
            if (!r.get("findings").toString().contains("continuity.replay")) {
                out.merge(r.get("sequence").asLong(), 1, Integer::sum);
            }
        }
        return out;
    }

    private static Set<Long> queued(Path device) throws IOException {
        Set<Long> out = new TreeSet<>();
        Path queue = device.resolve("agent-state/queue");
        if (!Files.isDirectory(queue)) {
            return out;
        }
        try (var files = Files.list(queue)) {
            files.forEach(f -> {
                Matcher m = ITEM.matcher(f.getFileName().toString());
                if (m.matches()) {
                    out.add(Long.parseLong(m.group(1)));
                }
            });
        }
        return out;
    }

    private static double storeErrors(HttpClient http, URI base, String viewer) throws Exception {
        HttpResponse<String> r = get(http, base, "/metrics", Optional.of(viewer));
        assertEquals(200, r.statusCode(), r.body());
        Matcher m = Pattern.compile("(?m)^attest_store_errors_total(?:\\{[^}]*\\})? (\\S+)$").matcher(r.body());
        assertTrue(m.find(), r.body());
        return Double.parseDouble(m.group(1));
    }

    private static HttpResponse<String> get(HttpClient http, URI base, String path, Optional<String> bearer)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        bearer.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitStatus(HttpClient http, URI base, String path, int status, long deadline)
            throws Exception {
        while (get(http, base, path, Optional.empty()).statusCode() != status) {
            assertTrue(System.nanoTime() < deadline, path + " never answered " + status);
            Thread.sleep(50);
        }
    }

    private static void awaitLogLine(Path log, String text, long deadline) throws Exception {
        while (!Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
            assertTrue(System.nanoTime() < deadline, "no '" + text + "' in " + log + ":\n" + Files.readString(log));
            Thread.sleep(50);
        }
    }

    private static List<JsonNode> awaitHistory(HttpClient http, URI base, String viewer, String device, int n,
            long deadline) throws Exception {
        return awaitHistory(http, base, viewer, device, n, deadline, r -> true);
    }

    /** The device's history, oldest first, once it has {@code n} results and {@code done} holds. */
    private static List<JsonNode> awaitHistory(HttpClient http, URI base, String viewer, String device, int n,
            long deadline, java.util.function.Predicate<List<JsonNode>> done) throws Exception {
        while (true) {
            // The whole history, page by page (a page holds at most 100; a slow run has more).
            List<JsonNode> out = new ArrayList<>();
            String query = "?limit=100";
            while (query != null) {
                HttpResponse<String> r = get(http, base, "/v1/devices/" + device + query, Optional.of(viewer));
                if (r.statusCode() != 200) {
                    break;
                }
                JsonNode page = JSON.readTree(r.body());
                page.path("history").forEach(out::add);
                query = page.has("next") ? "?limit=100&before=" + page.get("next").asText() : null;
            }
            Collections.reverse(out);
            if (out.size() >= n && done.test(out)) {
                return out;
            }
            assertTrue(System.nanoTime() < deadline, device + ": only " + out.size() + " results: " + out);
            Thread.sleep(200);
        }
    }

    /** The local PostgreSQL cluster that serves the test database, driven with pg_ctlcluster. */
    private record Cluster(String version, String name) {
        static Cluster serving(String url) throws Exception {
            boolean ci = "true".equals(System.getenv("CI"));
            String why = null;
            Matcher m = Pattern.compile("//([^/:?]+)(?::(\\d+))?/").matcher(url);
            assertTrue(m.find(), "host and port in the test database's URL");
            String host = m.group(1);
            int port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
            if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
                why = "the test database (" + host + ") is not a cluster on this machine";
            } else if (!"0".equals(output("id", "-u").orElse("").trim())) {
                why = "restarting PostgreSQL needs root (pg_ctlcluster); run as root, as CI does";
            } else {
                Optional<String> clusters = output("pg_lsclusters", "-h");
                if (clusters.isEmpty()) {
                    why = "pg_lsclusters failed or is missing; install postgresql-common (.ci/setup.d/35-postgresql.sh)";
                } else {
                    for (String line : clusters.get().split("\n")) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length >= 4 && f[2].equals(Integer.toString(port)) && f[3].equals("online")) {
                            return new Cluster(f[0], f[1]);
                        }
                    }
                    why = "no online cluster on port " + port + " in pg_lsclusters -h:\n" + clusters.get();
                }
            }
            if (ci) {
                fail("CI=true requires restarting the test PostgreSQL: " + why);
            }
            Assumptions.abort(why);
            throw new AssertionError("unreachable");
        }

        void run(String action, String... options) throws Exception {
            List<String> cmd = new ArrayList<>(List.of("pg_ctlcluster", version, name, action));
            cmd.addAll(List.of(options));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
            assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        }

        private static Optional<String> output(String... cmd) {
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }
}
