package dev.attest.examples.agent;

import java.io.IOException;
import java.io.Reader;
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
 * </pre>
 * Unknown keys are refused, so a typo cannot silently disable a setting.
 */
record AgentConfig(String deviceId, Path key, String algorithm, List<URI> verifiers, List<String> pins, Optional<Path> ca,
        Duration period, List<Path> files, boolean builtin, List<String> collectors, Path stateDir) {
    private static final Set<String> KEYS = Set.of("device.id", "key", "algorithm", "verifier.url", "verifier.pin",
            "verifier.ca", "period", "files", "builtin", "collectors", "state.dir");

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
        return new AgentConfig(required(p, "device.id", file), base.resolve(required(p, "key", file)),
                p.getProperty("algorithm", "ES256"), java.util.Arrays.stream(required(p, "verifier.url", file).split(",")).map(String::trim)
                        .filter(x -> !x.isEmpty()).map(URI::create).toList(), pins, ca,
                Duration.parse(p.getProperty("period", "PT30S")), files,
                Boolean.parseBoolean(p.getProperty("builtin", "true")),
                java.util.Arrays.stream(p.getProperty("collectors", "").split(",")).map(String::trim)
                        .filter(x -> !x.isEmpty()).toList(),
                base.resolve(p.getProperty("state.dir", "state")));
    }

    private static String required(Properties p, String key, Path file) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(file + ": " + key + " is required");
        }
        return v.trim();
    }
}
