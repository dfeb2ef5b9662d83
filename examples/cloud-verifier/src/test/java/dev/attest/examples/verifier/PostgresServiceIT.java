package dev.attest.examples.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.core.DigestAlgorithm;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.verify.Policy;
import dev.attest.verify.PostgresTestDatabase;
import dev.attest.verify.ReferenceValues;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on a real PostgreSQL ({@link PostgresTestDatabase}: the database
 * .ci/setup.d/35-postgresql.sh starts): device directory, history and continuity state all in
 * PostgreSQL, in a schema of this test's own. A second service instance on the same database
 * refuses the evidence the first one accepted as a replay: the continuity state lives in the
 * database, not in the process.
 */
class PostgresServiceIT {
    @Test
    void serviceKeepsDirectoryHistoryAndContinuityInPostgres(@TempDir Path dir) throws Exception {
        PostgresTestDatabase db = new PostgresTestDatabase();
        String url = db.freshSchemaUrl();
        try {
            SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("gw-pg")));
            ReferenceValues refs = ReferenceValues.builder()
                    .allow("/etc/app.conf", List.of(DigestAlgorithm.SHA_256.hash("mode = production".getBytes(StandardCharsets.UTF_8))))
                    .allow("/opt/app/app.bin", List.of(DigestAlgorithm.SHA_256.hash("code".getBytes(StandardCharsets.UTF_8))))
                    .build();
            byte[] token = DashboardIT.evidence(key, "mode = production");
            ObjectMapper json = new ObjectMapper();
            try (VerifierMain.Running one = VerifierMain.start(dir.resolve("state"), new InetSocketAddress("127.0.0.1", 0),
                    Optional.of(url), refs, Policy.defaults(), false)) {
                URI uri = URI.create("https://127.0.0.1:" + one.port());
                HttpClient http = HttpClient.newBuilder().sslContext(DashboardIT.trusting(dir.resolve("state/tls.p12"))).build();
                HttpResponse<String> enrol = http.send(HttpRequest.newBuilder(uri.resolve("/v1/devices"))
                        .header("Authorization", "Bearer " + one.adminToken())
                        .POST(HttpRequest.BodyPublishers.ofString("{\"device\":\"gw-pg\",\"key\":"
                                + DashboardIT.quote(Pem.publicKey(key.verificationKey().orElseThrow().publicKey())) + "}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(201, enrol.statusCode(), enrol.body());
                assertEquals(200, http.send(HttpRequest.newBuilder(uri.resolve("/v1/evidence"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(token)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
                JsonNode d = json.readTree(http.send(HttpRequest.newBuilder(uri.resolve("/v1/devices/gw-pg"))
                        .header("Authorization", "Bearer " + one.viewerToken()).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                assertEquals("affirming", d.get("history").get(0).get("status").asText(), d.toString());
            }
            // A second instance on the same database: enrolment and continuity come from PostgreSQL.
            try (VerifierMain.Running two = VerifierMain.start(dir.resolve("state"), new InetSocketAddress("127.0.0.1", 0),
                    Optional.of(url), refs, Policy.defaults(), false)) {
                URI uri = URI.create("https://127.0.0.1:" + two.port());
                HttpClient http = HttpClient.newBuilder().sslContext(DashboardIT.trusting(dir.resolve("state/tls.p12"))).build();
                http.send(HttpRequest.newBuilder(uri.resolve("/v1/evidence")).POST(HttpRequest.BodyPublishers.ofByteArray(token))
                        .build(), HttpResponse.BodyHandlers.ofString());
                JsonNode d = json.readTree(http.send(HttpRequest.newBuilder(uri.resolve("/v1/devices/gw-pg"))
                        .header("Authorization", "Bearer " + two.viewerToken()).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                JsonNode newest = d.get("history").get(0);
                assertEquals(2, d.get("history").size(), d.toString());
                assertEquals("contraindicated", newest.get("status").asText(), d.toString());
                assertTrue(newest.get("findings").toString().contains("continuity.replay"), newest.toString());
            }
        } finally {
            db.dropSchemas();
        }
    }
}
