package dev.attest.examples.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTPS API and dashboard. Who may call what:
 * <ul>
 * <li>devices: {@code POST /v1/challenge}, {@code POST /v1/evidence} (the evidence is
 *     authenticated by its signature with the enrolled key). With agent certificates required
 *     ({@code --agent-ca}, {@link AgentCertificates}), these two also need the TLS client
 *     certificate of the device they concern: without one the answer is 403; with one whose CN is
 *     another device than the challenge's {@code device}, the {@code Attest-Device} header or the
 *     evidence's {@code kid}, 403 too, before any nonce is spent or any evidence appraised (and the
 *     appraisal then binds the device, {@code identity.mismatch} otherwise); a certificate that
 *     does not chain to the agent CA fails the TLS handshake. 403 rather than 401: there is no
 *     HTTP authentication scheme to offer, the credential is the connection's;
 * <li>viewers, with the viewer token ({@code Authorization: Bearer}): {@code GET /v1/devices},
 *     {@code GET /v1/devices/{id}} (fleet status, findings, history: the newest 50 results, or
 *     {@code ?limit=1..500}; a page that is not the last carries {@code next}, which
 *     {@code ?before=NEXT} continues from), {@code GET /metrics}
 *     (Prometheus text format: {@code attest_appraisals_total} by status,
 *     {@code attest_appraisal_seconds} histogram, {@code attest_store_errors_total});
 * <li>the administrator, with the admin token: {@code POST /v1/devices} (enrolment:
 *     {@code {"device", "key", "period"}}, the optional period an ISO-8601 duration from 1 s to
 *     7 days, how often the device sends evidence; {@link DevicePeriod}); the admin token does not
 *     read, the viewer token does not enrol;
 * <li>anyone: {@code GET /healthz} (the process serves), {@code GET /readyz} (503 while the
 *     database is unreachable), {@code GET /} (the dashboard's page, which holds no fleet data:
 *     its script reads the data with the viewer token given in the address's fragment,
 *     {@code /#viewer=TOKEN}, which browsers never send to the server).
 * </ul>
 * A device's summary carries its {@code period} ({@code periodSource}: {@code enrolled},
 * {@code inferred} from its recent results, or {@code default}) and {@code notSeen}: no result
 * within {@value DevicePeriod#MISSED} periods of the last one (or of enrolment).
 * Tokens are compared in constant time (their SHA-256 digests, so neither content nor length
 * leaks) and never logged. Request bodies are bounded; every error is a JSON object with one
 * {@code error} line.
 */
final class HttpApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest evidence accepted, as the evidence decoder's default limit. */
    static final int MAX_EVIDENCE = 64 * 1024;
    private static final int MAX_JSON = 64 * 1024;
    /** Results per page of a device's history, unless the request asks for fewer or more. */
    static final int HISTORY_PAGE = 50;
    private static final int MAX_HISTORY_PAGE = 500;
    /** What a device id may be: enrolment refuses others, an agent certificate naming another is unusable. */
    static final String DEVICE_ID = "[A-Za-z0-9._-]{1,128}";

    private final HttpsServer server;
    private final ExecutorService executor;
    private final DeviceDirectory directory;
    private final NonceIssuer nonces;
    private final Appraiser appraiser;
    private final Enroller enroller;
    private final byte[] adminToken;
    private final byte[] viewerToken;
    private final Readiness readiness;
    private final Clock clock;
    /** Whether the device endpoints need an agent's client certificate (the context checks its chain). */
    private final boolean agentCertificates;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer appraisalTime = Timer.builder("attest.appraisal")
            .description("Time to appraise one evidence and sign its result").publishPercentileHistogram()
            .register(metrics);
    private final Counter storeErrors = Counter.builder("attest.store.errors")
            .description("Requests refused with 503 because the database failed").register(metrics);
    /** The appraisal counters by status, registered once (a registry lookup per request costs more). */
    private final java.util.Map<String, Counter> appraisalCounters = new java.util.concurrent.ConcurrentHashMap<>();

    /** Whether the service can do its work now (its database answers). */
    @FunctionalInterface
    interface Readiness {
        boolean ready();
    }

    /** Checks and stores an enrolment (key format is the verifier's business). */
    @FunctionalInterface
    interface Enroller {
        void enrol(String device, String keyPem) throws Exception;
    }

    static {
        // The JDK server writes a response's headers and its body separately; with Nagle's
        // algorithm on, the body waits for the client's delayed ACK (40 ms on Linux), so a
        // keep-alive client got one answer per ~45 ms (ServiceLoadBenchmark: 175 appraisals/s
        // from 8 clients). The server reads this once, when it is first used; an explicit
        // -Dsun.net.httpserver.nodelay=false still wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /**
     * @param tls the server's TLS; with {@code agentCertificates}, a context whose trust managers
     *     verify client certificates against the agent CA ({@link AgentCertificates#context})
     * @param agentCertificates whether the device endpoints need an agent's client certificate
     */
    HttpApi(InetSocketAddress bind, SSLContext tls, boolean agentCertificates, DeviceDirectory directory,
            NonceIssuer nonces, Appraiser appraiser, Enroller enroller, String adminToken, String viewerToken,
            Readiness readiness, Clock clock) throws IOException {
        if (adminToken.isEmpty() || viewerToken.isEmpty() || adminToken.equals(viewerToken)) {
            throw new IllegalArgumentException("the admin and viewer tokens must be set and differ");
        }
        this.directory = directory;
        this.nonces = nonces;
        this.appraiser = appraiser;
        this.enroller = enroller;
        this.adminToken = sha256(adminToken.getBytes(StandardCharsets.UTF_8));
        this.viewerToken = sha256(viewerToken.getBytes(StandardCharsets.UTF_8));
        this.readiness = readiness;
        this.clock = clock;
        this.agentCertificates = agentCertificates;
        this.server = HttpsServer.create(bind, 64);
        server.setHttpsConfigurator(!agentCertificates ? new HttpsConfigurator(tls) : new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                params.setSSLParameters(AgentCertificates.parameters(getSSLContext()));
            }
        });
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "attest-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/v1/challenge", ex -> handle(ex, this::challenge));
        server.createContext("/v1/evidence", ex -> handle(ex, this::evidence));
        server.createContext("/v1/devices", ex -> handle(ex, this::devices));
        for (String status : List.of("affirming", "warning", "contraindicated", "none")) {
            appraisals(status);
        }
        server.createContext("/metrics", ex -> handle(ex, this::metrics));
        server.createContext("/healthz", ex -> handle(ex, this::healthz));
        server.createContext("/readyz", ex -> handle(ex, this::readyz));
        server.createContext("/", ex -> handle(ex, this::dashboard));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private interface Route {
        void serve(HttpExchange ex) throws Exception;
    }

    /** A request the client got wrong. */
    private static final class HttpError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        HttpError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void handle(HttpExchange ex, Route route) throws IOException {
        try {
            route.serve(ex);
        } catch (HttpError e) {
            send(ex, e.status, "application/json", error(e.getMessage()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's message quotes the input: the reply names only the kind of error.
            send(ex, 400, "application/json", error("malformed JSON"));
        } catch (IllegalArgumentException e) {
            send(ex, 400, "application/json", error(e.getMessage()));
        } catch (dev.attest.verify.StateStoreException | java.sql.SQLException e) {
            // The database is down or failing: nothing was accepted; the client retries later.
            LOG.warn("{} {}: database unavailable ({})", ex.getRequestMethod(), ex.getRequestURI().getPath(),
                    e instanceof java.sql.SQLException q ? "SQLState " + q.getSQLState() : e.getMessage());
            storeErrors.increment();
            ex.getResponseHeaders().set("Retry-After", "2");
            send(ex, 503, "application/json", error("database unavailable, retry later"));
        } catch (Exception e) {
            LOG.error("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            send(ex, 500, "application/json", error("internal error"));
        } catch (Error e) {
            // The JDK server drops the connection without a reply on an Error: say which request.
            LOG.error("{} {} failed with an error", ex.getRequestMethod(), ex.getRequestURI(), e);
            throw e;
        } finally {
            ex.close();
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Requires {@code Authorization: Bearer <token>} with {@code token} (its SHA-256); compares
     * digests in constant time, so neither the token's bytes nor its length leak by timing.
     */
    private static void requireBearer(HttpExchange ex, byte[] tokenSha256, String what) throws HttpError {
        String auth = Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")).orElse("");
        boolean bearer = auth.regionMatches(true, 0, "Bearer ", 0, 7);
        byte[] presented = sha256((bearer ? auth.substring(7).trim() : "").getBytes(StandardCharsets.UTF_8));
        if (!MessageDigest.isEqual(presented, tokenSha256) || !bearer) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"attest\"");
            throw new HttpError(401, what);
        }
    }

    private static byte[] error(String message) {
        return JSON.createObjectNode().put("error", String.valueOf(message)).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        drainRequest(ex);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    /**
     * Reads what is left of the request body before the response goes out. The JDK server loses
     * the connection's next request now and then when a response (a 401, say) is sent before the
     * body was read: the client's next request on that keep-alive connection then got no answer
     * until the idle timer closed it (reproduced: about 2 % of unauthorised POSTs with a body).
     * A body longer than any this API reads is not drained; the connection is closed instead.
     */
    private static void drainRequest(HttpExchange ex) throws IOException {
        InputStream in = ex.getRequestBody();
        long left = MAX_EVIDENCE + 1L;
        byte[] sink = new byte[8192];
        for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0;) {
            left -= n;
        }
        if (left <= 0) {
            ex.getResponseHeaders().set("Connection", "close");
        }
    }

    private static byte[] body(HttpExchange ex, int max) throws IOException, HttpError {
        // Not closed here: the exchange closes it, and drainRequest may still read what is left.
        byte[] b = ex.getRequestBody().readNBytes(max + 1);
        if (b.length > max) {
            throw new HttpError(413, "request body larger than " + max + " bytes");
        }
        return b;
    }

    private static void method(HttpExchange ex, String m) throws HttpError {
        if (!ex.getRequestMethod().equals(m)) {
            throw new HttpError(405, "use " + m);
        }
    }

    /**
     * The device the connection's client certificate speaks for, when agent certificates are
     * required (else empty); 403 when the client sent none, or one that names no device.
     */
    private Optional<String> agent(HttpExchange ex) throws HttpError {
        if (!agentCertificates) {
            return Optional.empty();
        }
        List<java.security.cert.Certificate> peer;
        try {
            peer = List.of(((HttpsExchange) ex).getSSLSession().getPeerCertificates());
        } catch (SSLPeerUnverifiedException e) {
            peer = List.of();
        }
        Optional<String> device = AgentCertificates.device(peer, clock.instant());
        if (device.isEmpty()) {
            LOG.atWarn().addKeyValue("path", ex.getRequestURI().getPath())
                    .log(peer.isEmpty() ? "device request without a client certificate refused"
                            : "device request with an unusable client certificate refused");
            throw new HttpError(403, "this endpoint needs the client certificate of an enrolled device");
        }
        return device;
    }

    /** 403 unless {@code device} is the one the client certificate speaks for (when one is required). */
    private static void sameDevice(Optional<String> agent, String device, String what) throws HttpError {
        if (agent.isPresent() && !agent.get().equals(device)) {
            LOG.atWarn().addKeyValue("device", agent.get()).addKeyValue("claimed", device.isEmpty() ? "none" : device)
                    .log("{} of another device than the client certificate's refused", what);
            throw new HttpError(403, "the client certificate belongs to another device");
        }
    }

    private void challenge(HttpExchange ex) throws Exception {
        method(ex, "POST");
        Optional<String> agent = agent(ex);
        JsonNode req = JSON.readTree(body(ex, MAX_JSON));
        String device = req == null ? "" : req.path("device").asText("");
        sameDevice(agent, device, "challenge");
        if (directory.device(device).isEmpty()) {
            throw new HttpError(404, "unknown device");
        }
        byte[] nonce = nonces.issue(device);
        send(ex, 200, "application/json", JSON.createObjectNode()
                .put("nonce", Base64.getUrlEncoder().withoutPadding().encodeToString(nonce))
                .toString().getBytes(StandardCharsets.UTF_8));
    }

    private void evidence(HttpExchange ex) throws Exception {
        method(ex, "POST");
        Optional<String> agent = agent(ex);
        byte[] evidence = body(ex, MAX_EVIDENCE);
        if (agent.isPresent()) {
            sameDevice(agent, appraiser.signer(evidence).orElse(""), "evidence");
        }
        Optional<byte[]> expected = Optional.empty();
        String nonceHeader = ex.getRequestHeaders().getFirst("Attest-Nonce");
        if (nonceHeader != null) {
            String device = Optional.ofNullable(ex.getRequestHeaders().getFirst("Attest-Device")).orElse("");
            sameDevice(agent, device, "challenge answer");
            byte[] nonce;
            try {
                nonce = Base64.getUrlDecoder().decode(nonceHeader);
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "Attest-Nonce is not base64url");
            }
            expected = nonces.redeem(device, nonce);
            if (expected.isEmpty()) {
                throw new HttpError(409, "challenge unknown, expired, already answered, or for another device");
            }
        }
        long start = System.nanoTime();
        Appraiser.Appraisal a = appraiser.appraise(evidence, expected, agent);
        long nanos = System.nanoTime() - start;
        appraisalTime.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        appraisals(a.status()).increment();
        LOG.atInfo().addKeyValue("device", a.device().isEmpty() ? "unknown" : a.device())
                .addKeyValue("status", a.status()).addKeyValue("sequence", a.sequence())
                .addKeyValue("ms", nanos / 1_000_000).log("appraisal");
        if (directory.enrolled(a.device())) {
            directory.record(new DeviceDirectory.Result(a.device(), clock.instant(), a.status(), a.trustVectorJson(),
                    a.findingsJson(), a.sequence(), a.ear()));
        }
        send(ex, 200, "application/jwt", a.ear().getBytes(StandardCharsets.US_ASCII));
    }

    private void devices(HttpExchange ex) throws Exception {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/v1/devices") && ex.getRequestMethod().equals("POST")) {
            enrol(ex);
            return;
        }
        method(ex, "GET");
        requireBearer(ex, viewerToken, "reading the fleet needs the viewer token");
        if (path.equals("/v1/devices") || path.equals("/v1/devices/")) {
            ArrayNode list = JSON.createArrayNode();
            Instant now = clock.instant();
            for (DeviceDirectory.Device d : directory.devices()) {
                // A device without an enrolled period needs its recent results to infer one.
                list.add(summary(d, directory.history(d.id(), d.period().isPresent() ? 1 : DevicePeriod.INFER_FROM), now));
            }
            send(ex, 200, "application/json", list.toString().getBytes(StandardCharsets.UTF_8));
            return;
        }
        String id = path.substring("/v1/devices/".length());
        DeviceDirectory.Device d = directory.device(id).orElseThrow(() -> new HttpError(404, "unknown device"));
        int limit = HISTORY_PAGE;
        Optional<DeviceDirectory.Cursor> before = Optional.empty();
        String query = ex.getRequestURI().getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&", -1)) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                switch (name) {
                    case "limit" -> {
                        if (!value.matches("[0-9]{1,4}") || Integer.parseInt(value) < 1
                                || Integer.parseInt(value) > MAX_HISTORY_PAGE) {
                            throw new HttpError(400, "limit must be 1.." + MAX_HISTORY_PAGE);
                        }
                        limit = Integer.parseInt(value);
                    }
                    case "before" -> before = Optional.of(DeviceDirectory.Cursor.parse(value)
                            .orElseThrow(() -> new HttpError(400, "before must be a 'next' value of this API")));
                    default -> throw new HttpError(400, "unknown query parameter (limit, before)");
                }
            }
        }
        // The newest result is the device's status; a page further back does not change it.
        List<DeviceDirectory.Result> latest = before.isEmpty() && limit >= DevicePeriod.INFER_FROM ? List.of()
                : directory.history(id, DevicePeriod.INFER_FROM);
        List<DeviceDirectory.Result> history = directory.history(id, limit + 1, before);
        boolean more = history.size() > limit;
        if (more) {
            history = history.subList(0, limit);
        }
        ObjectNode o = summary(d, latest.isEmpty() ? history : latest, clock.instant());
        ArrayNode h = o.putArray("history");
        for (DeviceDirectory.Result r : history) {
            h.add(result(r));
        }
        if (more) {
            o.put("next", DeviceDirectory.Cursor.after(history.get(history.size() - 1)).toString());
        }
        send(ex, 200, "application/json", o.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void enrol(HttpExchange ex) throws Exception {
        requireBearer(ex, adminToken, "enrolment needs the admin token");
        JsonNode req = JSON.readTree(body(ex, MAX_JSON));
        String id = req == null ? "" : req.path("device").asText("");
        String key = req == null ? "" : req.path("key").asText("");
        if (!id.matches(DEVICE_ID)) {
            throw new HttpError(400, "device id must be 1..128 characters of [A-Za-z0-9._-]");
        }
        Optional<Duration> period = Optional.empty();
        if (req != null && req.has("period")) {
            JsonNode p = req.get("period");
            // DevicePeriod.parse says what a period must be (400, one JSON error line).
            period = Optional.of(DevicePeriod.parse(p.isTextual() ? p.asText() : ""));
        }
        if (directory.device(id).isPresent()) {
            throw new HttpError(409, "device already enrolled");
        }
        enroller.enrol(id, key);
        directory.enrol(id, key, clock.instant(), period);
        send(ex, 201, "application/json", JSON.createObjectNode().put("device", id).toString()
                .getBytes(StandardCharsets.UTF_8));
    }

    /** A device's summary from its newest results ({@code latest}, newest first), at {@code now}. */
    private static ObjectNode summary(DeviceDirectory.Device d, List<DeviceDirectory.Result> latest, Instant now)
            throws IOException {
        ObjectNode o = JSON.createObjectNode().put("device", d.id()).put("enrolled", d.enrolled().toString());
        DevicePeriod period = DevicePeriod.of(d.period(), latest.stream().map(DeviceDirectory.Result::time).toList());
        Instant since = latest.isEmpty() ? d.enrolled() : latest.get(0).time();
        o.put("period", period.period().toString()).put("periodSource", period.source().jsonName())
                .put("notSeen", period.notSeen(since, now)).put("notSeenAfter", period.deadline(since).toString());
        if (latest.isEmpty()) {
            o.put("status", "none");
        } else {
            DeviceDirectory.Result r = latest.get(0);
            o.put("status", r.status()).put("lastSeen", r.time().toString()).put("sequence", r.sequence());
            o.set("trustVector", JSON.readTree(r.trustVectorJson()));
            o.set("findings", JSON.readTree(r.findingsJson()));
        }
        return o;
    }

    private static ObjectNode result(DeviceDirectory.Result r) throws IOException {
        ObjectNode o = JSON.createObjectNode().put("time", r.time().toString()).put("status", r.status())
                .put("sequence", r.sequence()).put("ear", r.ear());
        o.set("trustVector", JSON.readTree(r.trustVectorJson()));
        o.set("findings", JSON.readTree(r.findingsJson()));
        return o;
    }

    private Counter appraisals(String status) {
        return appraisalCounters.computeIfAbsent(status, s -> Counter.builder("attest.appraisals")
                .description("Appraisals by their result's status").tag("status", s).register(metrics));
    }

    private void metrics(HttpExchange ex) throws Exception {
        method(ex, "GET");
        requireBearer(ex, viewerToken, "metrics need the viewer token");
        send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void healthz(HttpExchange ex) throws Exception {
        method(ex, "GET");
        send(ex, 200, "application/json", "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII));
    }

    private void readyz(HttpExchange ex) throws Exception {
        method(ex, "GET");
        if (!readiness.ready()) {
            throw new HttpError(503, "database unavailable");
        }
        send(ex, 200, "application/json", "{\"status\":\"ready\"}".getBytes(StandardCharsets.US_ASCII));
    }

    private void dashboard(HttpExchange ex) throws Exception {
        method(ex, "GET");
        if (!ex.getRequestURI().getPath().equals("/")) {
            throw new HttpError(404, "not found");
        }
        try (InputStream in = HttpApi.class.getResourceAsStream("dashboard.html")) {
            ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'");
            send(ex, 200, "text/html; charset=utf-8", in.readAllBytes());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
