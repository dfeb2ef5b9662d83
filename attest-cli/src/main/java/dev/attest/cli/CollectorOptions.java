package dev.attest.cli;

import dev.attest.core.Collector;
import dev.attest.core.Cycle;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.MeasurementScheduler;
import dev.attest.core.collectors.FileDigestCollector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What to measure, shared by {@code measure} and {@code evidence}: the built-in collectors and PATHs. */
final class CollectorOptions {
    @Parameters(paramLabel = "PATH", description = "Files, directories or devices to digest.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--algorithm", paramLabel = "ALG", description = "Digest algorithm for PATHs: sha-256 (default), sha-384, sha-512, sha3-256. Repeatable.")
    List<String> algorithms = new ArrayList<>();

    @Option(names = "--no-builtin", description = "Do not run the built-in collectors, only the PATHs.")
    boolean noBuiltin;

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file: files = a,b (relative to"
            + " the file), builtin = true|false, collectors = id,id (built-ins to run; default all),"
            + " algorithms = sha-256,sha-384, timeout = seconds. Command-line options add to it.")
    Path config;

    private List<String> onlyCollectors = List.of();

    /** Folds the config file into the options; unknown keys are refused so a typo is never silent. */
    private void applyConfig() throws java.io.IOException {
        if (config == null) {
            return;
        }
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = java.nio.file.Files.newBufferedReader(config)) {
            p.load(r);
        }
        java.util.Set<String> known = java.util.Set.of("files", "builtin", "collectors", "algorithms", "timeout");
        for (String k : p.stringPropertyNames()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException(config + ": unknown setting '" + k + "' (known: " + known + ")");
            }
        }
        Path base = config.toAbsolutePath().getParent();
        for (String f : list(p.getProperty("files"))) {
            paths.add(base.resolve(f));
        }
        algorithms.addAll(list(p.getProperty("algorithms")));
        onlyCollectors = list(p.getProperty("collectors"));
        String builtin = p.getProperty("builtin");
        if (builtin != null) {
            if (!builtin.trim().equals("true") && !builtin.trim().equals("false")) {
                throw new IllegalArgumentException(config + ": builtin must be true or false");
            }
            noBuiltin |= builtin.trim().equals("false");
        }
        String timeout = p.getProperty("timeout");
        if (timeout != null) {
            try {
                timeoutSeconds = Long.parseLong(timeout.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(config + ": timeout must be a number of seconds");
            }
        }
    }

    private static List<String> list(String v) {
        List<String> out = new ArrayList<>();
        if (v != null) {
            for (String s : v.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Per-collector timeout (default 60).")
    long timeoutSeconds = 60;

    /** Runs one collection cycle. */
    Cycle collect() throws Exception {
        applyConfig();
        MeasurementScheduler.Builder b = MeasurementScheduler.builder().timeout(Duration.ofSeconds(timeoutSeconds));
        if (!noBuiltin) {
            for (Collector c : Collector.discover()) {
                if (onlyCollectors.isEmpty() || onlyCollectors.contains(c.id())) {
                    b.collector(c);
                }
            }
        }
        if (!paths.isEmpty()) {
            FileDigestCollector.Builder f = FileDigestCollector.builder().progress(ProgressBar.forConsole());
            paths.forEach(f::path);
            for (String a : algorithms) {
                f.algorithm(DigestAlgorithm.byIanaName(a).orElseThrow(
                        () -> new IllegalArgumentException("digest algorithm not allowed: " + a)));
            }
            b.collector(f.build());
        }
        try (MeasurementScheduler s = b.build()) {
            return s.collectNow();
        } catch (IllegalArgumentException e) {
            if ("no collectors".equals(e.getMessage())) {
                throw new IllegalArgumentException("nothing to measure: give a PATH or drop --no-builtin");
            }
            throw e;
        }
    }
}
