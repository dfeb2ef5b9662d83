package dev.attest.core.collectors;

import dev.attest.core.CollectionContext;
import dev.attest.core.Measurement;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** Child JVM for JvmRuntimeCollectorIT: prints the measurements of the given class path entries. */
public final class JvmRuntimeProbeEntries {
    private JvmRuntimeProbeEntries() {
    }

    public static void main(String[] args) throws Exception {
        for (Measurement m : new JvmRuntimeCollector().collect(CollectionContext.of(1, Instant.now(),
                Duration.ofSeconds(30)))) {
            if (m.component().name().equals(Path.of(args[0]).toString())) {
                System.out.println("dir " + m.digests() + " files=" + m.value("files").map(v -> ((dev.attest.core.Value.Int) v).value()).orElse(-1L));
            } else if (m.component().name().equals(Path.of(args[1]).toString())) {
                System.out.println("missing " + m.component().name() + " kind=" + m.value("kind").map(v -> ((dev.attest.core.Value.Text) v).value()).orElse("?"));
            }
        }
    }
}
