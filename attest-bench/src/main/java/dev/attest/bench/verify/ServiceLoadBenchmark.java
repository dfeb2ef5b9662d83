package dev.attest.bench.verify;

import dev.attest.bench.Fixtures;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.MeasurementLog;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EatProfile;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.DeviceStateStore;
import dev.attest.verify.Policy;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The cloud-verifier service end to end, as a fleet's agents drive it: a bounded load generator
 * on loopback. The service runs as its own process ({@code VerifierMain --state DIR --port 0
 * --refs FILE}, its default H2 database, its JDK {@code HttpsServer} with TLS 1.3), every one of
 * {@value #DEVICES} devices enrolled with its own ES256 key; {@value #CLIENTS} client threads, each
 * with its own keep-alive TLS 1.3 connection ({@link LoopbackHttps}: trusts the service's
 * certificate alone, checks it names the address, requests prepared in advance), post the
 * devices' real signed evidence (50 measurements each, a chain per device, {@code iat} the time
 * of the run) to {@code POST /v1/evidence}; every answer must be 200 with an EAR whose every
 * submodule is affirming, or the run fails.
 *
 * <p>One invocation ({@link Mode#SingleShotTime}) is one round of a fixed count of appraisals:
 * the next {@value #PER_ROUND} evidences of every device ({@value #DEVICES} × {@value #PER_ROUND}),
 * each device's in order on the thread that owns it, bounded by {@value #ROUND_LIMIT_SECONDS} s.
 * {@code baselineInMemory} appraises the same evidence in a round of the same size on as many
 * threads with the SDK alone ({@link Verifier#appraise}, {@link DeviceStateStore#inMemory()}, the
 * same references and policy); issue 22's target: the service's rate at least 0.5 of it. The
 * rate is {@code DEVICES × PER_ROUND / score}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
// The service's JVM has far more code to compile than the baseline's (TLS, HTTP, H2, JSON, EAR
// signing): its rounds kept getting faster until about the 30th, the baseline's from the 5th.
@Warmup(iterations = 40)
@org.openjdk.jmh.annotations.Measurement(iterations = 10)
public class ServiceLoadBenchmark {
    static final int DEVICES = 500;
    static final int PER_ROUND = 2;
    static final int CHAIN = 100;
    static final int CLIENTS = 8;
    static final long ROUND_LIMIT_SECONDS = 60;
    private static final Pattern STARTED = Pattern.compile("cloud verifier on (https://\\S+?)/?\\s+pin (\\S+)");

    /** The fleet's evidence, and the service or the in-memory verifier that appraises it. */
    @State(Scope.Benchmark)
    public static class Load {
        final String[] ids = new String[DEVICES];
        final SigningKey[] keys = new SigningKey[DEVICES];
        /** The evidence, by device and position in its chain; dropped once {@link #requests} hold it. */
        byte[][][] chains = new byte[DEVICES][CHAIN][];
        ExecutorService clients;
        int round;
        /** Rounds that finished with every answer affirming. */
        int completed;
        Path dir;
        Process service;
        URI base;
        LoopbackHttps[] http;
        /** The prepared HTTP requests posting each chain's evidence. */
        byte[][][] requests;
        Verifier verifier;
        /** CPU time spent in measured rounds: the service process, this process; and the appraisals. */
        long serviceCpuNanos;
        long ownCpuNanos;
        long appraisals;
        /** CPU time is summed over the measured rounds: from the first after the warm-up ones. */
        int measuredFrom;
        int measuredRounds;

        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) throws Exception {
            measuredFrom = params.getWarmup().getCount();
            measuredRounds = params.getMeasurement().getCount();
            Instant now = Instant.now();
            IntStream.range(0, DEVICES).parallel().forEach(i -> {
                ids[i] = String.format("load-%04d", i);
                keys[i] = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of(ids[i])));
                MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-" + ids[i], 4096);
                try {
                    for (int k = 0; k < CHAIN; k++) {
                        LogHead since = log.head();
                        List<LogEntry> entries = log.append(Fixtures.cycle(now.plusMillis(100L * k)));
                        chains[i][k] = EvidenceEncoder.of(keys[i]).encode(EatClaims.builder()
                                .profile(EatProfile.PROFILE).iat(now).measurementLog(since, entries, log.head())
                                .build());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ReferenceValues refs = ReferenceValues.capture(EvidenceDecoder.builder(KeyResolver.single(
                    keys[0].verificationKey().orElseThrow())).build().decode(chains[0][0]).claims());
            clients = Executors.newFixedThreadPool(CLIENTS);
            if (params.getBenchmark().endsWith("baselineInMemory")) {
                Map<String, VerificationKey> pinned = new ConcurrentHashMap<>();
                for (int i = 0; i < DEVICES; i++) {
                    pinned.put(ids[i], keys[i].verificationKey().orElseThrow());
                }
                verifier = Verifier.builder().trustAnchors(TrustAnchors.pinned(pinned)).referenceValues(refs)
                        .policy(Policy.defaults()).stateStore(DeviceStateStore.inMemory()).build();
                return;
            }
            dir = Files.createTempDirectory("attest-service-load");
            Files.writeString(dir.resolve("refs.json"), refs.toJson());
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m"));
            // Experiments: JVM options for the service, e.g. -Dorg.slf4j.simpleLogger.defaultLogLevel=warn.
            for (String a : System.getProperty("attest.bench.service.jvmArgs", "").split("\\s+")) {
                if (!a.isEmpty()) {
                    cmd.add(a);
                }
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.attest.examples.verifier.VerifierMain",
                    "--state", dir.resolve("state").toString(), "--port", "0", "--refs",
                    dir.resolve("refs.json").toString()));
            service = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("service.log").toFile()).start();
            Matcher m = awaitStarted(dir.resolve("service.log"));
            base = URI.create(m.group(1));
            SSLContext tls = LoopbackHttps.trusting(certificate(dir.resolve("state/tls.p12")));
            InetAddress host = InetAddress.getByName(base.getHost());
            http = new LoopbackHttps[CLIENTS];
            for (int t = 0; t < CLIENTS; t++) {
                http[t] = new LoopbackHttps(tls, host, base.getPort(), (int) TimeUnit.SECONDS.toMillis(ROUND_LIMIT_SECONDS));
            }
            String admin = Files.readString(dir.resolve("state/admin.token")).trim();
            for (int i = 0; i < DEVICES; i++) {
                LoopbackHttps.Response r = http[i % CLIENTS].exchange(http[i % CLIENTS].request("POST", "/v1/devices",
                        "application/json", "Authorization: Bearer " + admin + "\r\n",
                        ("{\"device\":\"" + ids[i] + "\",\"key\":"
                                + quote(Pem.publicKey(keys[i].verificationKey().orElseThrow().publicKey())) + "}")
                                .getBytes(StandardCharsets.UTF_8)));
                if (r.status() != 201) {
                    throw new IllegalStateException("enrolment of " + ids[i] + ": HTTP " + r.status() + " " + r.text());
                }
            }
            requests = new byte[DEVICES][CHAIN][];
            for (int i = 0; i < DEVICES; i++) {
                for (int k = 0; k < CHAIN; k++) {
                    requests[i][k] = http[0].request("POST", "/v1/evidence", "application/eat+cwt", "", chains[i][k]);
                }
            }
            chains = null;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            if (appraisals > 0) {
                System.out.printf("%nCPU per appraisal over the last %d rounds: service process %d us, this process"
                        + " (load generator or in-memory verifier) %d us%n", measuredRounds, serviceCpuNanos / appraisals / 1000,
                        ownCpuNanos / appraisals / 1000);
            }
            clients.shutdownNow();
            if (http != null) {
                for (LoopbackHttps h : http) {
                    h.close();
                }
            }
            if (service != null) {
                service.destroy();
                if (!service.waitFor(10, TimeUnit.SECONDS)) {
                    service.destroyForcibly();
                }
            }
            if (dir != null && completed < measuredFrom + measuredRounds) {
                System.out.println("the run did not finish: the service's state and log are kept in " + dir);
            } else if (dir != null && !service.isAlive()) {
                // The service's state (H2 files, keys, tokens, its log): nothing of it is kept.
                try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                    for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(f);
                    }
                }
            }
        }

        /** One round: every device's next {@value #PER_ROUND} evidences, all of them affirming. */
        int round(boolean https) throws Exception {
            int r = round++;
            if ((r + 1) * PER_ROUND > CHAIN) {
                throw new IllegalStateException("the chains are used up: raise CHAIN above the iterations × " + PER_ROUND);
            }
            List<Callable<Integer>> work = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++) {
                int thread = t;
                work.add(() -> {
                    int n = 0;
                    for (int d = thread; d < DEVICES; d += CLIENTS) {
                        for (int k = r * PER_ROUND; k < (r + 1) * PER_ROUND; k++) {
                            String status = https ? post(http[thread], requests[d][k])
                                    : verifier.appraise(chains[d][k], AppraisalContext.periodic()).status().name();
                            if (!status.equalsIgnoreCase("affirming")) {
                                throw new IllegalStateException(ids[d] + " evidence " + k + ": " + status);
                            }
                            n++;
                        }
                    }
                    return n;
                });
            }
            long serviceCpu = serviceCpu();
            long ownCpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(ROUND_LIMIT_SECONDS);
            int total = 0;
            for (Future<Integer> f : clients.invokeAll(work, ROUND_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                if (f.isCancelled() || System.nanoTime() > until) {
                    throw new IllegalStateException("a round took longer than " + ROUND_LIMIT_SECONDS + " s");
                }
                total += f.get();
            }
            if (r == measuredFrom) {
                serviceCpuNanos = 0;
                ownCpuNanos = 0;
                appraisals = 0;
            }
            if (r >= measuredFrom) {
                serviceCpuNanos += serviceCpu() - serviceCpu;
                ownCpuNanos += ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                        .getOperatingSystemMXBean()).getProcessCpuTime() - ownCpu;
                appraisals += total;
            }
            completed++;
            return total;
        }

        private long serviceCpu() {
            return service == null ? 0 : service.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        }

        /** Posts one prepared evidence request; the status every submodule of the answered EAR has. */
        private static String post(LoopbackHttps client, byte[] request) throws Exception {
            LoopbackHttps.Response r = client.exchange(request);
            if (r.status() != 200) {
                return "HTTP " + r.status() + " " + r.text();
            }
            return LoopbackHttps.earStatus(r.body());
        }

        private Matcher awaitStarted(Path log) throws Exception {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < until) {
                if (Files.exists(log)) {
                    Matcher m = STARTED.matcher(Files.readString(log));
                    if (m.find()) {
                        return m;
                    }
                }
                if (!service.isAlive()) {
                    throw new IllegalStateException("the service exited: " + Files.readString(log));
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("the service did not start within 60 s");
        }
    }

    /** The service's certificate, from its state directory's key store. */
    private static X509Certificate certificate(Path p12) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "attest-demo".toCharArray());
        }
        return (X509Certificate) ks.getCertificate("verifier");
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /** The service: one round of {@value #DEVICES} × {@value #PER_ROUND} appraisals over HTTPS. */
    @Benchmark
    public int https(Load load) throws Exception {
        return load.round(true);
    }

    /** The SDK alone, in memory: the same round of the same evidence. */
    @Benchmark
    public int baselineInMemory(Load load) throws Exception {
        return load.round(false);
    }
}
