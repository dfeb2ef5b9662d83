package dev.attest.examples.agent;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The agent's configuration file (Java properties):
 * <pre>
 * device.id = gateway-17                 # the id the verifier enrolled
 * key = device.key.pem                   # PKCS#8 PEM signing key (relative to the file)
 * algorithm = ES256                      # ES256 | ES384 | ES512 | EDDSA | PS256
 * verifier.url = https://verifier:8443    # or several replicas, comma-separated: tried in order
 * verifier.pin = 3f1a...                 # SHA-256 of the verifier's SPKI, hex (or verifier.ca = ca.pem)
 * period = PT30S                         # ISO-8601 duration
 * files = /etc/os-release,/usr/bin/app   # measured with FileDigestCollector
 * builtin = true                         # also run the built-in collectors
 * collectors = process-memory,timing     # only these built-in collectors (default: all)
 * state.dir = state                      # measurement log and evidence queue
 * client.key = agent-tls.key.pem         # TLS client key (PKCS#8 PEM), for a verifier that
 * client.cert = agent-tls.cert.pem       #   requires agent certificates; both or neither
 * metrics.port = 9464                    # Prometheus endpoint (absent: none)
 * metrics.bind = 127.0.0.1               # a loopback address only
 * </pre>
 * Unknown keys are refused, so a typo cannot silently disable a setting.
 */
record AgentConfig(String deviceId, Path key, String algorithm, List<URI> verifiers, List<String> pins, Optional<Path> ca,
        Duration period, List<Path> files, boolean builtin, List<String> collectors, Path stateDir,
        Optional<Path> clientKey, Optional<Path> clientCert, Optional<InetSocketAddress> metrics) {
    private static final Set<String> KEYS = Set.of("device.id", "key", "algorithm", "verifier.url", "verifier.pin",
            "verifier.ca", "period", "files", "builtin", "collectors", "state.dir", "client.key", "client.cert",
            "metrics.port", "metrics.bind");

    static AgentConfig load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        for (String k : p.stringPropertyNames()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException(file + ": unknown setting " + k);
            }
        }
        Path base = file.toAbsolutePath().getParent();
        List<Path> files = new ArrayList<>();
        for (String f : p.getProperty("files", "").split(",")) {
            if (!f.isBlank()) {
                files.add(base.resolve(f.trim()));
            }
        }
        List<String> pins = new ArrayList<>();
        for (String pin : p.getProperty("verifier.pin", "").split(",")) {
            if (!pin.isBlank()) {
                pins.add(pin.trim());
            }
        }
        Optional<Path> ca = Optional.ofNullable(p.getProperty("verifier.ca")).map(base::resolve);
        if (pins.isEmpty() && ca.isEmpty()) {
            throw new IllegalArgumentException(file + ": verifier.pin or verifier.ca is required (TLS is never trusted blindly)");
        }
        Optional<Path> clientKey = Optional.ofNullable(p.getProperty("client.key")).map(String::trim).map(base::resolve);
        Optional<Path> clientCert = Optional.ofNullable(p.getProperty("client.cert")).map(String::trim).map(base::resolve);
        if (clientKey.isPresent() != clientCert.isPresent()) {
            throw new IllegalArgumentException(file + ": client.key and client.cert go together");
        }
        Optional<InetSocketAddress> metrics = Optional.empty();
        if (p.getProperty("metrics.port") != null) {
            String port = p.getProperty("metrics.port").trim();
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException(file + ": metrics.port must be 0..65535");
            }
            InetAddress bind = InetAddress.getByName(p.getProperty("metrics.bind", "127.0.0.1").trim());
            if (!bind.isLoopbackAddress()) {
                // Plain HTTP with a bearer token: it must not leave the device.
                throw new IllegalArgumentException(file + ": metrics.bind must be a loopback address");
            }
            metrics = Optional.of(new InetSocketAddress(bind, Integer.parseInt(port)));
        } else if (p.getProperty("metrics.bind") != null) {
            throw new IllegalArgumentException(file + ": metrics.bind needs metrics.port");
        }
        return new AgentConfig(required(p, "device.id", file), base.resolve(required(p, "key", file)),
                p.getProperty("algorithm", "ES256"), java.util.Arrays.stream(required(p, "verifier.url", file).split(",")).map(String::trim)
                        .filter(x -> !x.isEmpty()).map(URI::create).toList(), pins, ca,
                Duration.parse(p.getProperty("period", "PT30S")), files,
                Boolean.parseBoolean(p.getProperty("builtin", "true")),
                java.util.Arrays.stream(p.getProperty("collectors", "").split(",")).map(String::trim)
                        .filter(x -> !x.isEmpty()).toList(),
                base.resolve(p.getProperty("state.dir", "state")), clientKey, clientCert, metrics);
    }

    private static String required(Properties p, String key, Path file) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(file + ": " + key + " is required");
        }
        return v.trim();
    }
}
