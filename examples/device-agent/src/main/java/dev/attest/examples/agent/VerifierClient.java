package dev.attest.examples.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The agent's only network peer: every connection is opened by the agent, over TLS with the
 * verifier's key pinned or its chain checked against a configured CA. The agent listens on no
 * port. Given several verifier URLs (replicas sharing one database), it keeps to the one that
 * answered last and fails over to the next, in order, when a connection fails or a verifier
 * answers 502, 503 or 504; a request fails only when every verifier failed it. Each failure is
 * reported to the {@link AgentMetrics} with the verifier it concerns.
 */
public final class VerifierClient {
    /** The EAT media type for a CWT (RFC 9711 §9.3). */
    public static final String EAT_CWT = "application/eat+cwt";

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final HttpClient http;
    private final List<URI> bases;

    private final String deviceId;
    private final AgentMetrics metrics;
    /** The verifier that answered last; where the next request starts. */
    private volatile int current;

    /** What the verifier answered to a piece of evidence. */
    public record Delivery(int status, String body) {
        /** Whether the verifier took the evidence (it may still have judged it untrustworthy). */
        public boolean accepted() {
            return status == 200;
        }
    }

    public VerifierClient(URI base, SSLContext tls, String deviceId) {
        this(List.of(base), tls, deviceId);
    }

    /** A client of the verifiers at {@code bases} (at least one, each https), tried in order. */
    public VerifierClient(List<URI> bases, SSLContext tls, String deviceId) {
        this(bases, tls, deviceId, AgentMetrics.NONE);
    }

    /**
     * A client of the verifiers at {@code bases} (at least one, each https), tried in order,
     * reporting each try and each failure to {@code metrics}.
     */
    public VerifierClient(List<URI> bases, SSLContext tls, String deviceId, AgentMetrics metrics) {
        if (bases.isEmpty()) {
            throw new IllegalArgumentException("at least one verifier URL is needed");
        }
        for (URI base : bases) {
            if (!"https".equals(base.getScheme())) {
                throw new IllegalArgumentException("the verifier URL must be https");
            }
        }
        this.bases = List.copyOf(bases);
        this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The verifiers' base URLs, as configured, in the order they are tried. */
    public List<URI> verifiers() {
        return bases;
    }

    /** Asks the verifier for a fresh nonce. */
    public byte[] challenge() throws IOException, InterruptedException {
        // The nonce must go back to the verifier that issued it: a challenge and its evidence
        // are sent to the same one (send() starts where the last answer came from).
        String body = JSON.createObjectNode().put("device", deviceId).toString();
        HttpResponse<String> r = exchange(base -> HttpRequest.newBuilder(base.resolve("/v1/challenge"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
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
        HttpResponse<String> r = exchange(base -> {
            metrics.sent();
            return HttpRequest.newBuilder(base.resolve("/v1/evidence"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", EAT_CWT)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(evidence)).build();
        });
        return new Delivery(r.statusCode(), r.body());
    }

    /**
     * Sends the request to the current verifier, then to each next one while the connection fails
     * or the answer is 502, 503 or 504; the last failure if all failed.
     */
    private HttpResponse<String> exchange(java.util.function.Function<URI, HttpRequest> request)
            throws IOException, InterruptedException {
        int start = current;
        IOException failed = null;
        HttpResponse<String> unavailable = null;
        for (int i = 0; i < bases.size(); i++) {
            int k = (start + i) % bases.size();
            try {
                HttpResponse<String> r = http.send(request.apply(bases.get(k)), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() < 502 || r.statusCode() > 504) {
                    current = k;
                    if (r.statusCode() == 401 || r.statusCode() == 403) {
                        metrics.failed(bases.get(k), AgentMetrics.Failure.FORBIDDEN);
                    }
                    return r;
                }
                metrics.failed(bases.get(k), AgentMetrics.Failure.UNAVAILABLE);
                unavailable = r;
            } catch (IOException e) {
                metrics.failed(bases.get(k), AgentMetrics.Failure.UNREACHABLE);
                failed = e;
            }
        }
        if (unavailable != null) {
            return unavailable;
        }
        throw failed;
    }

}
