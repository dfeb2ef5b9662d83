package dev.attest.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's metrics endpoint over real HTTP on loopback: the token, the paths, the bind address. */
class MetricsEndpointTest {
    @Test
    void onlyTheTokenReadsTheMetrics(@TempDir Path dir) throws Exception {
        String token = MetricsEndpoint.token(dir.resolve("metrics.token"));
        assertEquals(token, MetricsEndpoint.token(dir.resolve("metrics.token")), "made once, then read");
        assertTrue(token.matches("[0-9a-f]{48}"), token);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("metrics.token"))));
        try (MetricsEndpoint e = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), token, () -> "up 1\n")) {
            URI base = URI.create("http://127.0.0.1:" + e.port());
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ok = get(http, base.resolve("/metrics"), Optional.of("Bearer " + token));
            assertEquals(200, ok.statusCode());
            assertEquals("up 1\n", ok.body());
            for (Optional<String> auth : java.util.List.of(Optional.<String>empty(), Optional.of("Bearer "),
                    Optional.of("Bearer " + token + "0"), Optional.of("Basic " + token))) {
                HttpResponse<String> r = get(http, base.resolve("/metrics"), auth);
                assertEquals(401, r.statusCode());
                assertEquals(Optional.of("Bearer realm=\"attest-agent\""), r.headers().firstValue("WWW-Authenticate"));
                assertEquals("{\"error\":\"metrics need the agent's metrics token\"}", r.body());
            }
            assertEquals(404, get(http, base.resolve("/"), Optional.of("Bearer " + token)).statusCode());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals("{\"error\":\"use GET\"}", post.body());
        }
    }

    @Test
    void itNeverListensBeyondLoopback() {
        assertEquals("the metrics endpoint binds to a loopback address only", assertThrows(IllegalArgumentException.class,
                () -> MetricsEndpoint.start(new InetSocketAddress("0.0.0.0", 0), "t", () -> "")).getMessage());
        assertEquals("the metrics endpoint needs a token", assertThrows(IllegalArgumentException.class,
                () -> MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), "", () -> "")).getMessage());
    }

    private static HttpResponse<String> get(HttpClient http, URI uri, Optional<String> auth) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri).GET();
        auth.ifPresent(a -> r.header("Authorization", a));
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
}
