package dev.attest.examples.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.verify.Policy;
import dev.attest.verify.ReferenceValues;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may call which endpoint of the running service, over real HTTPS: every endpoint without a
 * credential, with a wrong one, with the other kind of token and with the right one; the public
 * endpoints; and the one-line JSON error of each malformed or oversized request.
 */
class ApiAccessIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyEndpointWantsItsOwnCredential(@TempDir Path dir) throws Exception {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("gw-1")));
        String enrolBody = JSON.createObjectNode().put("device", "gw-1")
                .put("key", Pem.publicKey(key.verificationKey().orElseThrow().publicKey())).toString();
        try (VerifierMain.Running service = VerifierMain.start(dir.resolve("state"), new InetSocketAddress("127.0.0.1", 0),
                Optional.empty(), ReferenceValues.empty(), Policy.defaults(), false)) {
            URI base = URI.create("https://127.0.0.1:" + service.port());
            HttpClient http = HttpClient.newBuilder().sslContext(DashboardIT.trusting(dir.resolve("state/tls.p12"))).build();
            String admin = service.adminToken();
            String viewer = service.viewerToken();
            assertFalse(admin.equals(viewer));
            assertEquals(viewer, Files.readString(dir.resolve("state/viewer.token")).trim());
            String wrong = "0".repeat(viewer.length());

            // Enrolment: only the admin token.
            for (Optional<String> token : List.of(Optional.<String>empty(), Optional.of(wrong), Optional.of(viewer),
                    Optional.of(viewer.substring(1)))) {
                assertUnauthorized(send(http, post(base, "/v1/devices", enrolBody), token));
            }
            assertEquals(201, send(http, post(base, "/v1/devices", enrolBody), Optional.of(admin)).statusCode());
            assertEquals(200, send(http, HttpRequest.newBuilder(base.resolve("/v1/evidence"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(DashboardIT.evidence(key, "mode = production"))),
                    Optional.empty()).statusCode());

            // Fleet status, findings and history: only the viewer token.
            for (String path : List.of("/v1/devices", "/v1/devices/gw-1", "/v1/devices/unknown")) {
                for (Optional<String> token : List.of(Optional.<String>empty(), Optional.of(wrong), Optional.of(admin))) {
                    HttpResponse<String> r = send(http, HttpRequest.newBuilder(base.resolve(path)).GET(), token);
                    assertUnauthorized(r);
                    assertFalse(r.body().contains("gw-1"), r.body());
                }
                // Basic instead of Bearer, with the right secret: refused too.
                assertUnauthorized(http.send(HttpRequest.newBuilder(base.resolve(path))
                        .header("Authorization", "Basic " + viewer).GET().build(), HttpResponse.BodyHandlers.ofString()));
            }
            HttpResponse<String> list = send(http, HttpRequest.newBuilder(base.resolve("/v1/devices")).GET(),
                    Optional.of(viewer));
            assertEquals(200, list.statusCode(), list.body());
            assertEquals("gw-1", JSON.readTree(list.body()).get(0).get("device").asText());
            HttpResponse<String> one = send(http, HttpRequest.newBuilder(base.resolve("/v1/devices/gw-1")).GET(),
                    Optional.of(viewer));
            assertEquals(200, one.statusCode(), one.body());
            assertEquals(1, JSON.readTree(one.body()).get("history").size(), one.body());
            assertFalse(JSON.readTree(one.body()).has("next"), "one result: no further page");
            HttpResponse<String> firstPage = send(http, HttpRequest.newBuilder(base.resolve("/v1/devices/gw-1?limit=1")).GET(),
                    Optional.of(viewer));
            assertEquals(200, firstPage.statusCode(), firstPage.body());
            assertEquals(one.body(), firstPage.body());
            for (String query : List.of("limit=0", "limit=501", "limit=x", "before=yesterday", "page=2")) {
                HttpResponse<String> r = send(http, HttpRequest.newBuilder(base.resolve("/v1/devices/gw-1?" + query))
                        .GET(), Optional.of(viewer));
                assertEquals(400, r.statusCode(), query + ": " + r.body());
                assertFalse(r.body().contains("gw-1"), r.body());
            }
            assertError(send(http, HttpRequest.newBuilder(base.resolve("/v1/devices/unknown")).GET(), Optional.of(viewer)),
                    404, "unknown device");

            // Metrics: the viewer token too; the one appraisal counted under its status and timed.
            for (Optional<String> token : List.of(Optional.<String>empty(), Optional.of(wrong), Optional.of(admin))) {
                assertUnauthorized(send(http, HttpRequest.newBuilder(base.resolve("/metrics")).GET(), token));
            }
            HttpResponse<String> metrics = send(http, HttpRequest.newBuilder(base.resolve("/metrics")).GET(),
                    Optional.of(viewer));
            assertEquals(200, metrics.statusCode(), metrics.body());
            String status = JSON.readTree(one.body()).get("history").get(0).get("status").asText();
            List<String> lines = metrics.body().lines().toList();
            for (String s : List.of("affirming", "warning", "contraindicated", "none")) {
                assertTrue(lines.contains("attest_appraisals_total{status=\"" + s + "\"} " + (s.equals(status) ? "1.0" : "0.0")),
                        s + " in " + metrics.body());
            }
            assertTrue(lines.contains("attest_appraisal_seconds_count 1"), metrics.body());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("attest_appraisal_seconds_bucket{le=\"+Inf\"} 1")),
                    metrics.body());
            assertTrue(lines.contains("attest_store_errors_total 0.0"), metrics.body());
            assertFalse(metrics.body().contains(viewer) || metrics.body().contains(admin));

            // Public: liveness, readiness, and the dashboard's page, which holds no fleet data.
            HttpResponse<String> health = send(http, HttpRequest.newBuilder(base.resolve("/healthz")).GET(), Optional.empty());
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"ok\"}", health.body());
            HttpResponse<String> ready = send(http, HttpRequest.newBuilder(base.resolve("/readyz")).GET(), Optional.empty());
            assertEquals(200, ready.statusCode());
            assertEquals("{\"status\":\"ready\"}", ready.body());
            HttpResponse<String> page = send(http, HttpRequest.newBuilder(base.resolve("/")).GET(), Optional.empty());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("#viewer="), "the page says how to give the token");
            assertFalse(page.body().contains("gw-1") || page.body().contains(viewer) || page.body().contains(admin));
        }
    }

    @Test
    void malformedAndOversizedRequestsGetOneJsonErrorLine(@TempDir Path dir) throws Exception {
        try (VerifierMain.Running service = VerifierMain.start(dir.resolve("state"), new InetSocketAddress("127.0.0.1", 0),
                Optional.empty(), ReferenceValues.empty(), Policy.defaults(), false)) {
            URI base = URI.create("https://127.0.0.1:" + service.port());
            HttpClient http = HttpClient.newBuilder().sslContext(DashboardIT.trusting(dir.resolve("state/tls.p12"))).build();
            Optional<String> admin = Optional.of(service.adminToken());
            assertError(send(http, post(base, "/v1/challenge", "{\"device\": "), Optional.empty()), 400, "malformed JSON");
            assertError(send(http, post(base, "/v1/devices", "[1, 2"), admin), 400, "malformed JSON");
            assertError(send(http, post(base, "/v1/devices", "{\"device\":\"a b\",\"key\":\"\"}"), admin), 400,
                    "device id must be 1..128 characters of [A-Za-z0-9._-]");
            assertError(send(http, post(base, "/v1/challenge", "{\"device\":\"nobody\"}"), Optional.empty()), 404,
                    "unknown device");
            assertError(send(http, HttpRequest.newBuilder(base.resolve("/v1/evidence"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[HttpApi.MAX_EVIDENCE + 1])), Optional.empty()),
                    413, "request body larger than " + HttpApi.MAX_EVIDENCE + " bytes");
            assertError(send(http, post(base, "/v1/challenge", "{\"device\":\"" + "x".repeat(64 * 1024) + "\"}"),
                    Optional.empty()), 413, "request body larger than 65536 bytes");
            assertError(send(http, HttpRequest.newBuilder(base.resolve("/v1/evidence")).GET(), Optional.empty()), 405,
                    "use POST");
            assertError(send(http, HttpRequest.newBuilder(base.resolve("/healthz"))
                    .POST(HttpRequest.BodyPublishers.noBody()), Optional.empty()), 405, "use GET");
            assertError(send(http, HttpRequest.newBuilder(base.resolve("/nothing-here")).GET(), Optional.empty()), 404,
                    "not found");
            assertError(send(http, HttpRequest.newBuilder(base.resolve("/v1/evidence")).header("Attest-Nonce", "%%%")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1})), Optional.empty()), 400,
                    "Attest-Nonce is not base64url");
        }
    }

    /**
     * A refusal sent before the request body was read leaves the keep-alive connection usable:
     * the JDK server lost about 2 % of the requests that followed such a refusal (no answer until
     * its idle timer closed the connection) before HttpApi drained the body first.
     */
    @Test
    void refusalsBeforeTheBodyLeaveTheConnectionUsable(@TempDir Path dir) throws Exception {
        try (VerifierMain.Running service = VerifierMain.start(dir.resolve("state"), new InetSocketAddress("127.0.0.1", 0),
                Optional.empty(), ReferenceValues.empty(), Policy.defaults(), false)) {
            URI base = URI.create("https://127.0.0.1:" + service.port());
            HttpClient http = HttpClient.newBuilder().sslContext(DashboardIT.trusting(dir.resolve("state/tls.p12"))).build();
            String body = JSON.createObjectNode().put("device", "gw-1").put("key", "A".repeat(300)).toString();
            for (int i = 0; i < 1000; i++) {
                HttpRequest.Builder r = post(base, "/v1/devices", body).timeout(java.time.Duration.ofSeconds(5));
                HttpResponse<String> refused = send(http, r, Optional.of("wrong-" + i));
                assertUnauthorized(refused);
                if (i % 100 == 0) {
                    // The viewer's read on the same connection is answered too.
                    assertEquals(200, send(http, HttpRequest.newBuilder(base.resolve("/v1/devices"))
                            .timeout(java.time.Duration.ofSeconds(5)).GET(), Optional.of(service.viewerToken())).statusCode());
                }
            }
        }
    }

    private static HttpRequest.Builder post(URI base, String path, String body) {
        return HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request, Optional<String> token)
            throws Exception {
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertUnauthorized(HttpResponse<String> r) throws Exception {
        assertEquals(401, r.statusCode(), r.body());
        assertEquals(Optional.of("Bearer realm=\"attest\""), r.headers().firstValue("WWW-Authenticate"));
        assertOneJsonLine(r);
    }

    private static void assertError(HttpResponse<String> r, int status, String message) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(message, assertOneJsonLine(r).get("error").asText());
    }

    private static JsonNode assertOneJsonLine(HttpResponse<String> r) throws Exception {
        assertEquals(Optional.of("application/json"), r.headers().firstValue("Content-Type"));
        assertFalse(r.body().contains("\n"), r.body());
        JsonNode error = JSON.readTree(r.body());
        assertEquals(1, error.size(), r.body());
        assertTrue(error.get("error").isTextual(), r.body());
        return error;
    }
}
