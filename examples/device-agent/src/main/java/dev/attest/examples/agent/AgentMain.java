package dev.attest.examples.agent;

import dev.attest.core.Collector;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.MeasurementLog;
import dev.attest.core.collectors.FileDigestCollector;
import dev.attest.evidence.Attester;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import javax.net.ssl.SSLContext;

/**
 * Runs the device agent: {@code device-agent --config agent.properties [--challenge]}. Periodic
 * evidence is pushed to the verifier; with {@code --challenge} the agent first asks the verifier
 * for a nonce and answers it. The agent opens no listening port, except the optional metrics
 * endpoint on loopback ({@code metrics.port}, {@link MetricsEndpoint}).
 */
public final class AgentMain {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AgentMain.class);

    private AgentMain() {
    }

    /** A running agent and its metrics endpoint, if configured. */
    record Running(DeviceAgent agent, Optional<MetricsEndpoint> metrics) implements AutoCloseable {
        @Override
        public void close() {
            metrics.ifPresent(MetricsEndpoint::close);
            agent.close();
        }
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        Path configFile = null;
        boolean challenge = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> configFile = Path.of(args[++i]);
                case "--challenge" -> challenge = true;
                default -> {
                    System.err.println("usage: device-agent --config FILE [--challenge]");
                    System.exit(3);
                }
            }
        }
        if (configFile == null) {
            System.err.println("usage: device-agent --config FILE [--challenge]");
            System.exit(3);
        }
        AgentConfig c = AgentConfig.load(configFile);
        try (Running running = start(c)) {
            if (challenge) {
                System.out.println(running.agent().challenge());
            }
            Thread.currentThread().join();
        }
    }

    /** Builds and starts an agent from {@code c}. */
    static Running start(AgentConfig c) throws Exception {
        SignatureAlgorithm alg = SignatureAlgorithm.valueOf(c.algorithm());
        SigningKey key = SigningKey.of(Pem.privateKey(Files.readString(c.key())), alg,
                Optional.of(KeyId.of(c.deviceId())));
        Optional<PinnedTls.ClientCertificate> client = Optional.empty();
        if (c.clientKey().isPresent()) {
            PinnedTls.ClientCertificate cc = PinnedTls.ClientCertificate.fromPem(Files.readString(c.clientKey().get()),
                    Files.readString(c.clientCert().orElseThrow()));
            byte[] tlsKey = cc.chain().get(0).getPublicKey().getEncoded();
            if (key.verificationKey().map(v -> java.util.Arrays.equals(v.publicKey().getEncoded(), tlsKey)).orElse(false)) {
                // One key, one purpose: the evidence key signs evidence only (NIST SP 800-57 §5.2).
                throw new IllegalArgumentException("client.key must not be the evidence signing key");
            }
            client = Optional.of(cc);
        }
        SSLContext tls;
        if (!c.pins().isEmpty()) {
            tls = PinnedTls.pinned(c.pins(), client);
        } else {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            try (InputStream in = new FileInputStream(c.ca().orElseThrow().toFile())) {
                int i = 0;
                for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("ca" + i++, cert);
                }
            }
            tls = PinnedTls.ca(ks, client);
        }
        Files.createDirectories(c.stateDir());
        MeasurementLog log = MeasurementLog.open(c.stateDir().resolve("measurement.log"), DigestAlgorithm.SHA_256,
                bootId(), MeasurementLog.DEFAULT_WINDOW);
        Attester.Builder attester = Attester.builder().signer(key).period(c.period()).timeout(Duration.ofSeconds(30))
                .swname("attest-device-agent").swversion("0.1.0");
        if (c.builtin()) {
            Collector.discover().stream().filter(col -> c.collectors().isEmpty() || c.collectors().contains(col.id()))
                    .forEach(attester::collector);
        }
        if (!c.files().isEmpty()) {
            FileDigestCollector.Builder f = FileDigestCollector.builder().layer(Layer.APPLICATION);
            c.files().forEach(f::path);
            attester.collector(f.build());
        }
        // Micrometer is loaded only when metrics are asked for: without them the agent's footprint is unchanged.
        Optional<PrometheusAgentMetrics> prometheus = c.metrics().map(m -> new PrometheusAgentMetrics(c.verifiers()));
        AgentMetrics metrics = prometheus.isPresent() ? prometheus.get() : AgentMetrics.NONE;
        DeviceAgent agent = new DeviceAgent(attester, log,
                EvidenceQueue.open(c.stateDir().resolve("queue"), 1000, 64L << 20),
                new VerifierClient(c.verifiers(), tls, c.deviceId(), metrics), metrics);
        Optional<MetricsEndpoint> endpoint = Optional.empty();
        if (prometheus.isPresent()) {
            PrometheusAgentMetrics p = prometheus.get().watch(agent);
            MetricsEndpoint e = MetricsEndpoint.start(c.metrics().get(),
                    MetricsEndpoint.token(c.stateDir().resolve("metrics.token")), p::scrape);
            LOG.info("metrics on http://{}:{}/metrics (token in {})", c.metrics().get().getAddress().getHostAddress(),
                    e.port(), c.stateDir().resolve("metrics.token"));
            endpoint = Optional.of(e);
        }
        agent.start();
        return new Running(agent, endpoint);
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (java.io.IOException e) {
            return UUID.randomUUID().toString();
        }
    }
}
