package dev.attest.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.MeasurementLog;
import dev.attest.core.collectors.FileDigestCollector;
import dev.attest.evidence.Attester;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.examples.agent.PinnedTls;
import dev.attest.examples.agent.VerifierClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between agents and the cloud verifier ({@code --agent-ca}), with real certificates
 * made here, the real verifier process and the agent's own sender ({@link VerifierClient}) and
 * process: no client certificate, one from another CA, and one of another device get no
 * appraisal; the right one gets affirming appraisals; the viewer and admin endpoints need no
 * client certificate.
 */
class AgentMutualTlsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STARTED = Pattern.compile("cloud verifier on (https://\\S+)\\s+pin (\\S+)");
    private static final String OTHER = "gw-2";

    @Test
    void onlyTheDevicesOwnCertificateGetsAnAppraisal(@TempDir Path dir) throws Exception {
        TestCertificates.Ca agentCa = TestCertificates.ca("attest agent CA");
        TestCertificates.Ca otherCa = TestCertificates.ca("attest agent CA");
        Files.writeString(dir.resolve("agent-ca.pem"), Pem.certificate(agentCa.cert()));
        KeyPair tls = TestCertificates.ecKey();
        KeyPair otherTls = TestCertificates.ecKey();
        X509Certificate own = TestCertificates.client(agentCa, Demo.DEVICE, tls);
        X509Certificate ofOther = TestCertificates.client(agentCa, OTHER, otherTls);
        // Same subject, same key, same CA name: only the issuing key differs.
        X509Certificate foreign = TestCertificates.client(otherCa, Demo.DEVICE, tls);

        Demo h = new Demo(dir, new PrintStream(new ByteArrayOutputStream()));
        try {
            Path state = dir.resolve("verifier");
            Process verifier = h.java(dir.resolve("verifier.log"), "dev.attest.examples.verifier.VerifierMain",
                    "--state", state.toString(), "--port", "0", "--capture-first",
                    "--agent-ca", dir.resolve("agent-ca.pem").toString());
            String line = Demo.awaitLine(dir.resolve("verifier.log"), STARTED, verifier, Duration.ofSeconds(30));
            assertTrue(line.endsWith("agent certificates required"), line);
            Matcher m = STARTED.matcher(line);
            assertTrue(m.find());
            URI base = URI.create(m.group(1));
            String pin = m.group(2);

            // Admin and viewer endpoints: bearer tokens as before, no client certificate.
            HttpClient http = HttpClient.newBuilder().sslContext(PinnedTls.pinned(List.of(pin))).build();
            SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of(Demo.DEVICE)));
            SigningKey otherKey = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of(OTHER)));
            String admin = Files.readString(state.resolve("admin.token")).trim();
            String viewer = Files.readString(state.resolve("viewer.token")).trim();
            Demo.enrol(http, base, admin, Demo.DEVICE, key);
            Demo.enrol(http, base, admin, OTHER, otherKey);

            Path device = Files.createDirectories(dir.resolve("device"));
            Files.writeString(device.resolve("app.conf"), "v1\n");
            byte[] evidence = evidence(key, device.resolve("app.conf"));

            // No client certificate: 403 with one JSON error line, for the evidence and the challenge.
            VerifierClient none = new VerifierClient(base, PinnedTls.pinned(List.of(pin)), Demo.DEVICE);
            VerifierClient.Delivery d = none.send(evidence);
            assertEquals(403, d.status(), d.body());
            assertEquals("{\"error\":\"this endpoint needs the client certificate of an enrolled device\"}", d.body());
            IOException challenge = assertThrows(IOException.class, none::challenge);
            assertTrue(challenge.getMessage().startsWith("challenge refused: HTTP 403"), challenge.getMessage());

            // A certificate from another CA: the server's TLS refuses it and closes the connection
            // before any HTTP (in TLS 1.3 the client has finished its side of the handshake by
            // then, so it sees the connection closed, where a client without a certificate, or
            // with the right one, is kept waiting for its request).
            SSLContext foreignTls = PinnedTls.pinned(List.of(pin),
                    Optional.of(new PinnedTls.ClientCertificate(tls.getPrivate(), List.of(foreign))));
            assertEquals("closed", afterHandshake(foreignTls, base));
            assertEquals("kept open", afterHandshake(PinnedTls.pinned(List.of(pin)), base));
            assertEquals("kept open", afterHandshake(PinnedTls.pinned(List.of(pin),
                    Optional.of(new PinnedTls.ClientCertificate(tls.getPrivate(), List.of(own)))), base));
            VerifierClient untrusted = new VerifierClient(base, foreignTls, Demo.DEVICE);
            assertThrows(IOException.class, () -> untrusted.send(evidence));
            assertThrows(IOException.class, untrusted::challenge);

            // The certificate of another enrolled device: 403, for its evidence and its challenge.
            VerifierClient impostor = new VerifierClient(base, PinnedTls.pinned(List.of(pin),
                    Optional.of(new PinnedTls.ClientCertificate(otherTls.getPrivate(), List.of(ofOther)))), Demo.DEVICE);
            d = impostor.send(evidence);
            assertEquals(403, d.status(), d.body());
            assertEquals("{\"error\":\"the client certificate belongs to another device\"}", d.body());
            challenge = assertThrows(IOException.class, impostor::challenge);
            assertTrue(challenge.getMessage().startsWith("challenge refused: HTTP 403"), challenge.getMessage());

            // A resumed TLS session (a new connection, the same client context) still carries the
            // device's certificate: challenges are issued.
            SSLContext ownTls = PinnedTls.pinned(List.of(pin),
                    Optional.of(new PinnedTls.ClientCertificate(tls.getPrivate(), List.of(own))));
            List<Long> created = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = HttpClient.newBuilder().sslContext(ownTls).build().send(
                        HttpRequest.newBuilder(base.resolve("/v1/challenge")).POST(HttpRequest.BodyPublishers.ofString(
                                JSON.createObjectNode().put("device", Demo.DEVICE).toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(JSON.readTree(r.body()).get("nonce").isTextual(), r.body());
                created.add(r.sslSession().orElseThrow().getCreationTime());
            }
            assertEquals(created.get(0), created.get(1), "the second connection resumed the first one's session");

            // None of that was appraised.
            JsonNode status = deviceStatus(http, base, viewer);
            assertEquals("none", status.get("status").asText(), status.toString());
            assertEquals(0, status.get("history").size(), status.toString());
            assertTrue(Files.readString(dir.resolve("verifier.log")).contains("device request without a client certificate refused"));

            // The real agent with the other device's certificate: refused, its evidence kept queued.
            Files.writeString(device.resolve("device.key.pem"), Pem.privateKey(key.privateKey()));
            TestCertificates.write(device, "own", tls, own);
            TestCertificates.write(device, "other", otherTls, ofOther);
            Files.writeString(device.resolve("agent.properties"), config(base, pin, "other"));
            Process wrong = h.java(dir.resolve("agent-wrong.log"), "dev.attest.examples.agent.AgentMain",
                    "--config", device.resolve("agent.properties").toString());
            Demo.awaitLine(dir.resolve("agent-wrong.log"), Pattern.compile("verifier refuses this agent \\(HTTP 403"),
                    wrong, Duration.ofSeconds(30));
            Instant until = Instant.now().plusSeconds(30);
            while (queued(device) < 2 && Instant.now().isBefore(until)) {
                Thread.sleep(200);
            }
            assertTrue(queued(device) >= 2, "evidence stays queued while the verifier refuses the agent");
            wrong.destroy();
            wrong.waitFor();
            assertEquals(0, deviceStatus(http, base, viewer).get("history").size());

            // Its own certificate: everything queued is delivered and appraised, affirming after the
            // first (whose measurements become the reference values), the chain unbroken.
            Files.writeString(device.resolve("agent.properties"), config(base, pin, "own"));
            Process agent = h.java(dir.resolve("agent.log"), "dev.attest.examples.agent.AgentMain",
                    "--config", device.resolve("agent.properties").toString());
            List<JsonNode> results = new ArrayList<>();
            long last = -1;
            Instant deadline = Instant.now().plusSeconds(60);
            while (results.size() < 4) {
                for (JsonNode r : h.newResults(http, base, viewer, last, agent, deadline)) {
                    results.add(r);
                    last = r.get("sequence").asLong();
                }
            }
            for (int i = 1; i < results.size(); i++) {
                JsonNode r = results.get(i);
                assertEquals("affirming", r.get("status").asText(), r.toString());
            }
            for (JsonNode r : results) {
                assertFalse(r.get("findings").toString().matches(".*continuity\\.(broken|replay).*"), r.toString());
            }
            assertEquals(1, results.get(0).get("sequence").asLong(), "the first queued evidence was kept: " + results.get(0));
        } finally {
            h.stopAll();
        }
    }

    private static String config(URI base, String pin, String tls) {
        return String.join("\n", "device.id = " + Demo.DEVICE, "key = device.key.pem", "verifier.url = " + base,
                "verifier.pin = " + pin, "client.key = " + tls + ".key.pem", "client.cert = " + tls + ".cert.pem",
                "period = PT0.5S", "files = app.conf", "builtin = false", "state.dir = agent-state", "");
    }

    /** One signed evidence of {@code key}'s device, as its agent makes it. */
    private static byte[] evidence(SigningKey key, Path measured) throws Exception {
        try (Attester a = Attester.builder().signer(key)
                .log(MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-test", 16))
                .collector(FileDigestCollector.builder().path(measured).build()).build()) {
            return a.evidence("mutual-tls-test-nonce".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).token();
        }
    }

    private static JsonNode deviceStatus(HttpClient http, URI base, String viewer) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/devices/" + Demo.DEVICE))
                .header("Authorization", "Bearer " + viewer).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** What the server does after a TLS handshake with {@code context}, before any request. */
    private static String afterHandshake(SSLContext context, URI base) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(1500);
            socket.startHandshake();
            try {
                return socket.getInputStream().read() < 0 ? "closed" : "answered";
            } catch (java.net.SocketTimeoutException e) {
                return "kept open";
            } catch (SSLException e) {
                return "closed";
            }
        }
    }

    private static long queued(Path device) throws IOException {
        Path q = device.resolve("agent-state/queue");
        if (!Files.isDirectory(q)) {
            return 0;
        }
        try (var files = Files.list(q)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".evidence")).count();
        }
    }
}
