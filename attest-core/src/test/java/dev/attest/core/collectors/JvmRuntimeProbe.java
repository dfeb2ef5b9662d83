package dev.attest.core.collectors;

import dev.attest.core.CollectionContext;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import java.time.Duration;
import java.time.Instant;

/** Child JVM for JvmRuntimeCollectorIT: prints the jvm measurement's findings, one a line. */
public final class JvmRuntimeProbe {
    private JvmRuntimeProbe() {
    }

    public static void main(String[] args) throws Exception {
        Measurement jvm = new JvmRuntimeCollector().collect(CollectionContext.of(1, Instant.now(),
                Duration.ofSeconds(30))).get(0);
        for (Value v : ((Value.ListValue) jvm.value("findings").orElseThrow()).values()) {
            System.out.println("finding " + ((Value.Text) v).value());
        }
        System.out.println("javaagents " + ((Value.Int) jvm.value("javaagents").orElseThrow()).value());
        System.out.println("attach " + ((Value.Bool) jvm.value("attach-enabled").orElseThrow()).value());
        System.out.println("agent-ran " + System.getProperty("probe.agent.ran", "no"));
    }
}
