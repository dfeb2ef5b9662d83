package dev.attest.examples.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The agent's only network peer: every connection is opened by the agent, over TLS with the
 * verifier's key pinned or its chain checked against a configured CA. The agent listens on no
 * port.
 */
public final class VerifierClient {
    /** The EAT media type for a CWT (RFC 9711 §9.3). */
    public static final String EAT_CWT = "application/eat+cwt";

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final HttpClient http;
    private final URI base;
    private final String deviceId;

    /** What the verifier answered to a piece of evidence. */
    public record Delivery(int status, String body) {
        /** Whether the verifier took the evidence (it may still have judged it untrustworthy). */
        public boolean accepted() {
            return status == 200;
        }
    }

    public VerifierClient(URI base, SSLContext tls, String deviceId) {
        if (!"https".equals(base.getScheme())) {
            throw new IllegalArgumentException("the verifier URL must be https");
        }
        this.base = base;
        this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Asks the verifier for a fresh nonce. */
    public byte[] challenge() throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/v1/challenge")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("device", deviceId).toString())).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("challenge refused: HTTP " + r.statusCode() + " " + r.body());
        }
        com.fasterxml.jackson.databind.JsonNode nonce = JSON.readTree(r.body()).path("nonce");
        if (!nonce.isTextual()) {
            throw new IOException("challenge answer has no nonce");
        }
        return Base64.getUrlDecoder().decode(nonce.asText());
    }

    /** Sends one piece of evidence. */
    public Delivery send(byte[] evidence) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/v1/evidence")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", EAT_CWT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(evidence)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        return new Delivery(r.statusCode(), r.body());
    }

}
