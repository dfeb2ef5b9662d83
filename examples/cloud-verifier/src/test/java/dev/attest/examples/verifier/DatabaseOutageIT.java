package dev.attest.examples.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.core.ComponentId;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EatProfile;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.verify.Policy;
import dev.attest.verify.PostgresTestDatabase;
import dev.attest.verify.ReferenceValues;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on PostgreSQL when the database goes away and comes back: its connections are cut
 * and new ones refused (a TCP relay between service and server drops everything, as a server
 * restart or a failover does to its clients). Meanwhile {@code /readyz} says 503 and evidence is
 * answered 503 with a JSON error and {@code Retry-After}, nothing accepted; afterwards the same
 * evidence, sent again as an agent retries, is accepted once and the device's chain continues,
 * without the service being restarted.
 */
class DatabaseOutageIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void outageAnswers503AndTheChainContinuesAfterwards(@TempDir Path dir) throws Exception {
        PostgresTestDatabase db = new PostgresTestDatabase();
        String url = db.freshSchemaUrl();
        Matcher m = Pattern.compile("//([^/:]+):(\\d+)/").matcher(url);
        assertTrue(m.find(), "host and port in the test database's URL");
        try (Relay relay = new Relay(new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))))) {
            String relayed = url.substring(0, m.start()) + "//127.0.0.1:" + relay.port() + "/" + url.substring(m.end());
            SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("gw-outage")));
            Chain chain = new Chain(key);
            try (VerifierMain.Running service = VerifierMain.start(dir.resolve("state"),
                    new InetSocketAddress("127.0.0.1", 0), Optional.of(relayed), ReferenceValues.empty(),
                    Policy.defaults(), false)) {
                URI base = URI.create("https://127.0.0.1:" + service.port());
                HttpClient http = HttpClient.newBuilder().sslContext(DashboardIT.trusting(dir.resolve("state/tls.p12")))
                        .build();
                assertEquals(201, http.send(HttpRequest.newBuilder(base.resolve("/v1/devices"))
                        .header("Authorization", "Bearer " + service.adminToken())
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("device", "gw-outage")
                                .put("key", Pem.publicKey(key.verificationKey().orElseThrow().publicKey())).toString()))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
                for (int i = 0; i < 3; i++) {
                    assertEquals(200, post(http, base, chain.next()).statusCode());
                }

                relay.down();
                assertEquals(503, get(http, base, "/readyz").statusCode());
                byte[] during = chain.next();
                for (int attempt = 0; attempt < 2; attempt++) {
                    HttpResponse<String> r = post(http, base, during);
                    assertEquals(503, r.statusCode(), r.body());
                    assertEquals("{\"error\":\"database unavailable, retry later\"}", r.body());
                    assertEquals(Optional.of("2"), r.headers().firstValue("Retry-After"));
                }
                assertEquals(200, get(http, base, "/healthz").statusCode(), "alive, only not ready");

                relay.up();
                long until = System.nanoTime() + 30_000_000_000L;
                while (get(http, base, "/readyz").statusCode() != 200) {
                    assertTrue(System.nanoTime() < until, "ready again within 30 s");
                    Thread.sleep(100);
                }
                // The agent's retry of the evidence the outage refused, then the chain goes on.
                assertEquals(200, post(http, base, during).statusCode());
                assertEquals(200, post(http, base, chain.next()).statusCode());
                // The same evidence once more: a replay now, refused.
                assertEquals(200, post(http, base, during).statusCode());

                HttpResponse<String> device = http.send(HttpRequest.newBuilder(base.resolve("/v1/devices/gw-outage"))
                        .header("Authorization", "Bearer " + service.viewerToken()).build(),
                        HttpResponse.BodyHandlers.ofString());
                List<JsonNode> history = new ArrayList<>();
                JSON.readTree(device.body()).get("history").forEach(history::add);
                java.util.Collections.reverse(history);
                assertEquals(6, history.size(), device.body());
                for (int i = 0; i < 5; i++) {
                    JsonNode h = history.get(i);
                    assertFalse(h.get("status").asText().equals("contraindicated"), h.toString());
                    assertFalse(h.get("findings").toString().contains("continuity.replay"), h.toString());
                    assertFalse(h.get("findings").toString().contains("continuity.broken"), h.toString());
                    if (i > 0) {
                        assertTrue(h.get("sequence").asLong() > history.get(i - 1).get("sequence").asLong(), h.toString());
                    }
                }
                JsonNode replay = history.get(5);
                assertEquals("contraindicated", replay.get("status").asText(), replay.toString());
                assertTrue(replay.get("findings").toString().contains("continuity.replay"), replay.toString());
            }
        } finally {
            db.dropSchemas();
        }
    }

    private static HttpResponse<String> post(HttpClient http, URI base, byte[] evidence) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/v1/evidence"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(evidence)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(HttpClient http, URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A device's evidence, each continuing the last (one log, one boot). */
    static final class Chain {
        private final SigningKey key;
        private final MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-1", 1000);
        private int n;

        Chain(SigningKey key) {
            this.key = key;
        }

        byte[] next() throws Exception {
            LogHead since = log.head();
            List<LogEntry> entries = log.append(List.of(Measurement.builder(ComponentId.of("/etc/app.conf"),
                    Layer.CONFIGURATION).collector("file-digest").time(Instant.now())
                    .digest(DigestAlgorithm.SHA_256.hash(("cycle " + n++).getBytes(StandardCharsets.UTF_8))).build()));
            return EvidenceEncoder.of(key).encode(EatClaims.builder().profile(EatProfile.PROFILE).iat(Instant.now())
                    .measurementLog(since, entries, log.head()).build());
        }
    }

    /** A TCP relay to the database that can drop every connection and refuse new ones, then accept again. */
    static final class Relay implements AutoCloseable {
        private final InetSocketAddress target;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private final int port;
        private volatile ServerSocket server;

        Relay(InetSocketAddress target) throws IOException {
            this.target = target;
            this.server = listen(0);
            this.port = server.getLocalPort();
            accept(server);
        }

        int port() {
            return port;
        }

        private static ServerSocket listen(int port) throws IOException {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return s;
        }

        private void accept(ServerSocket s) {
            Thread t = new Thread(() -> {
                while (!s.isClosed()) {
                    try {
                        Socket client = s.accept();
                        Socket upstream = new Socket(target.getAddress(), target.getPort());
                        open.add(client);
                        open.add(upstream);
                        pump(client, upstream);
                        pump(upstream, client);
                    } catch (IOException e) {
                        // closed by down() or close()
                    }
                }
            }, "relay-accept");
            t.setDaemon(true);
            t.start();
        }

        private void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // the other side or down() closed it
                } finally {
                    quietClose(from);
                    quietClose(to);
                }
            }, "relay-pump");
            t.setDaemon(true);
            t.start();
        }

        /** Cuts every connection and refuses new ones. */
        void down() throws IOException {
            server.close();
            for (Socket s : open) {
                quietClose(s);
            }
            open.clear();
        }

        /** Accepts connections again, on the same port. */
        void up() throws IOException {
            server = listen(port);
            accept(server);
        }

        private static void quietClose(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            down();
        }
    }
}
