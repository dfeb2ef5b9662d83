package dev.attest.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attest.core.Collector;
import dev.attest.core.Cycle;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.MeasurementScheduler;
import dev.attest.core.collectors.FileDigestCollector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest measure}: one collection cycle, printed as a table or as JSON. */
@Command(name = "measure", description = {
        "Runs the collectors once and prints the measurements.",
        "Runs the built-in collectors found on the class path, plus a file digest of each PATH."})
final class MeasureCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "PATH", description = "Files, directories or devices to digest.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--algorithm", paramLabel = "ALG", description = "Digest algorithm for PATHs: sha-256 (default), sha-384, sha-512, sha3-256. Repeatable.")
    List<String> algorithms = new ArrayList<>();

    @Option(names = "--no-builtin", description = "Do not run the built-in collectors, only the PATHs.")
    boolean noBuiltin;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Per-collector timeout (default 60).")
    long timeoutSeconds = 60;

    @Option(names = "--verbose", description = "Explain errors in more detail.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        MeasurementScheduler.Builder b = MeasurementScheduler.builder().timeout(Duration.ofSeconds(timeoutSeconds));
        if (!noBuiltin) {
            for (Collector c : Collector.discover()) {
                b.collector(c);
            }
        }
        if (!paths.isEmpty()) {
            FileDigestCollector.Builder f = FileDigestCollector.builder();
            paths.forEach(f::path);
            for (String a : algorithms) {
                f.algorithm(DigestAlgorithm.byIanaName(a).orElseThrow(
                        () -> new IllegalArgumentException("digest algorithm not allowed: " + a)));
            }
            b.collector(f.build());
        }
        Cycle cycle;
        try (MeasurementScheduler s = b.build()) {
            cycle = s.collectNow();
        } catch (IllegalArgumentException e) {
            if (e.getMessage().equals("no collectors")) {
                throw new IllegalArgumentException("nothing to measure: give a PATH or drop --no-builtin");
            }
            throw e;
        }
        if (json) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            spec.commandLine().getOut().println(m.writeValueAsString(MeasurementText.json(cycle.measurements())));
        } else {
            MeasurementText.table(cycle.measurements(), spec.commandLine().getOut());
        }
        return 0;
    }
}
