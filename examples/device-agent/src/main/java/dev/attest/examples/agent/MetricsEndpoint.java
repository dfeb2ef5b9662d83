package dev.attest.examples.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The agent's Prometheus endpoint: {@code GET /metrics} over plain HTTP on a loopback address
 * only, with a bearer token. Loopback, because the agent is otherwise never reachable from the
 * network (it opens no other port) and plain HTTP must not leave the device; a scraper elsewhere
 * reaches it through the device's own collector (a Prometheus agent, an OpenTelemetry collector).
 * A token even there, because the metrics tell when the device measures itself and whether its
 * verifier is reachable, which another local user need not know; the token is random (192 bits),
 * in {@code state.dir/metrics.token} readable by the agent's user only, compared in constant time
 * and never logged (Prometheus: {@code authorization: {credentials_file: .../metrics.token}}).
 * One thread (the server's dispatcher, which also answers), bounded answers, every error one
 * JSON line.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final byte[] tokenSha256;
    private final Supplier<String> scrape;

    private MetricsEndpoint(HttpServer server, String token, Supplier<String> scrape) {
        this.server = server;
        this.tokenSha256 = sha256(token);
        this.scrape = scrape;
    }

    /**
     * Serves {@code scrape} at {@code http://bind/metrics}.
     *
     * @param bind a loopback address and port (0: any free port)
     * @param token the bearer token a scraper must send
     * @param scrape the exposition text, read on each request
     * @return the running endpoint
     * @throws IllegalArgumentException if {@code bind} is not a loopback address or the token is empty
     */
    public static MetricsEndpoint start(InetSocketAddress bind, String token, Supplier<String> scrape)
            throws IOException {
        if (bind.getAddress() == null || !bind.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the metrics endpoint binds to a loopback address only");
        }
        if (token.isEmpty()) {
            throw new IllegalArgumentException("the metrics endpoint needs a token");
        }
        HttpServer server = HttpServer.create(bind, 8);
        MetricsEndpoint e = new MetricsEndpoint(server, token, scrape);
        server.createContext("/", e::handle);
        // No executor: the dispatcher thread answers, so the endpoint costs one thread.
        server.start();
        return e;
    }

    /**
     * The bearer token in {@code file}, created (random, 192 bits, hex, owner-only) if absent.
     *
     * @param file the token file
     * @return the token
     */
    public static String token(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] t = new byte[24];
            new SecureRandom().nextBytes(t);
            try {
                Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the state directory's own protection applies
                Files.createFile(file);
            }
            Files.writeString(file, HexFormat.of().formatHex(t) + "\n");
        }
        return Files.readString(file).trim();
    }

    /**
     * The port it listens on.
     *
     * @return the port
     */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            if (!ex.getRequestURI().getPath().equals("/metrics")) {
                send(ex, 404, "application/json", error("not found"));
                return;
            }
            if (!ex.getRequestMethod().equals("GET")) {
                send(ex, 405, "application/json", error("use GET"));
                return;
            }
            String auth = Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")).orElse("");
            boolean bearer = auth.regionMatches(true, 0, "Bearer ", 0, 7);
            byte[] presented = sha256(bearer ? auth.substring(7).trim() : "");
            if (!MessageDigest.isEqual(presented, tokenSha256) || !bearer) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"attest-agent\"");
                send(ex, 401, "application/json", error("metrics need the agent's metrics token"));
                return;
            }
            send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", scrape.get().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            send(ex, 500, "application/json", error("internal error"));
        } finally {
            ex.close();
        }
    }

    private static byte[] error(String message) {
        return ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Stops serving. */
    @Override
    public void close() {
        server.stop(0);
    }
}
