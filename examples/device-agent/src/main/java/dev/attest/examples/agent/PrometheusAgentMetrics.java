package dev.attest.examples.agent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's {@link AgentMetrics} in a Micrometer registry, written in Prometheus's text format
 * by {@link #scrape()} (served by {@link MetricsEndpoint}):
 * <ul>
 * <li>{@code attest_agent_queue_depth}: evidence waiting for the verifier;
 * <li>{@code attest_agent_queue_oldest_age_seconds}: how long the oldest of it has waited (0 when
 *     none waits);
 * <li>{@code attest_agent_evidence_queued_total}, {@code _sent_total} (each post to a verifier,
 *     retries included), {@code _accepted_total}, {@code _refused_total} (4xx for good),
 *     {@code _dropped_total} (the queue was full; persistent, so it survives restarts);
 * <li>{@code attest_agent_cycle_seconds} (count, sum, max): measurement cycles and how long their
 *     collectors took;
 * <li>{@code attest_agent_verifier_failures_total{verifier, failure}}: per configured verifier URL,
 *     {@code unreachable} (no answer, TLS refused), {@code unavailable} (502..504),
 *     {@code forbidden} (401, 403).
 * </ul>
 * Every meter is made once, here; a cycle or delivery only increments (no allocation, no thread:
 * the registry is read when scraped). The gauges read the agent under its lock at scrape time.
 */
public final class PrometheusAgentMetrics implements AgentMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer cycles = Timer.builder("attest.agent.cycle")
            .description("Measurement cycles and how long their collectors took").register(registry);
    private final Counter queued = counter("queued", "Evidence put into the queue");
    private final Counter sent = counter("sent", "Evidence posted to a verifier, each try");
    private final Counter accepted = counter("accepted", "Evidence a verifier took (HTTP 200)");
    private final Counter refused = counter("refused", "Evidence a verifier refused for good (4xx)");
    private final Map<URI, Map<Failure, Counter>> failures = new HashMap<>();

    /**
     * Registers every meter; the failure counters for each of {@code verifiers}.
     *
     * @param verifiers the configured verifier URLs
     */
    public PrometheusAgentMetrics(List<URI> verifiers) {
        for (URI v : verifiers) {
            Map<Failure, Counter> byFailure = new EnumMap<>(Failure.class);
            for (Failure f : Failure.values()) {
                byFailure.put(f, Counter.builder("attest.agent.verifier.failures")
                        .description("Requests to a verifier that failed, by how")
                        .tag("verifier", v.toString()).tag("failure", f.label()).register(registry));
            }
            failures.put(v, byFailure);
        }
    }

    private Counter counter(String outcome, String description) {
        return Counter.builder("attest.agent.evidence." + outcome).description(description).register(registry);
    }

    /**
     * Adds the gauges that read {@code agent}'s queue (depth, oldest age, dropped count).
     *
     * @param agent the agent whose queue to report
     * @return this
     */
    public PrometheusAgentMetrics watch(DeviceAgent agent) {
        Gauge.builder("attest.agent.queue.depth", agent, DeviceAgent::queued)
                .description("Evidence waiting for the verifier").strongReference(true).register(registry);
        Gauge.builder("attest.agent.queue.oldest.age", agent, PrometheusAgentMetrics::oldestSeconds).baseUnit("seconds")
                .description("How long the oldest waiting evidence has waited").strongReference(true)
                .register(registry);
        FunctionCounter.builder("attest.agent.evidence.dropped", agent, DeviceAgent::droppedCount)
                .description("Evidence dropped because the queue was full (persistent)").register(registry);
        return this;
    }

    private static double oldestSeconds(DeviceAgent agent) {
        try {
            return agent.oldestQueuedAge().map(d -> Math.max(0, d.toMillis()) / 1000.0).orElse(0.0);
        } catch (IOException e) {
            // Unknown, not zero: Prometheus shows NaN.
            return Double.NaN;
        }
    }

    /**
     * Every meter in Prometheus's text exposition format (version 0.0.4).
     *
     * @return the exposition
     */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void cycle(Duration duration) {
        cycles.record(duration);
    }

    @Override
    public void queued() {
        queued.increment();
    }

    @Override
    public void sent() {
        sent.increment();
    }

    @Override
    public void accepted() {
        accepted.increment();
    }

    @Override
    public void refused() {
        refused.increment();
    }

    @Override
    public void failed(URI verifier, Failure failure) {
        Map<Failure, Counter> byFailure = failures.get(verifier);
        if (byFailure != null) {
            byFailure.get(failure).increment();
        }
    }
}
