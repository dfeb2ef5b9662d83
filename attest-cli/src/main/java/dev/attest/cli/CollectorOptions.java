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

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Per-collector timeout (default 60).")
    long timeoutSeconds = 60;

    /** Runs one collection cycle. */
    Cycle collect() throws Exception {
        MeasurementScheduler.Builder b = MeasurementScheduler.builder().timeout(Duration.ofSeconds(timeoutSeconds));
        if (!noBuiltin) {
            for (Collector c : Collector.discover()) {
                b.collector(c);
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
