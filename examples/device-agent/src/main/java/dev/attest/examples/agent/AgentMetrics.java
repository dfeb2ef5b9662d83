package dev.attest.examples.agent;

import java.net.URI;
import java.time.Duration;

/**
 * What the agent reports as it works, for metrics. Every method is called on the agent's own
 * threads, must be quick and must not throw; the defaults do nothing, which is what an agent
 * without a metrics endpoint uses ({@link #NONE}), so it loads no metrics library at all.
 * {@link PrometheusAgentMetrics} counts them with Micrometer.
 */
public interface AgentMetrics {
    /** Reports nothing. */
    AgentMetrics NONE = new AgentMetrics() {
    };

    /** Why a request to one verifier failed, so that the agent went on to the next or waited. */
    enum Failure {
        /** No answer: connection refused or reset, timeout, or a TLS handshake that failed. */
        UNREACHABLE,
        /** The verifier answered 502, 503 or 504 (its database or a proxy is down). */
        UNAVAILABLE,
        /** The verifier answered 401 or 403: it does not accept this agent's credentials. */
        FORBIDDEN;

        /** The label value: the name in lower case. */
        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A measurement cycle completed (periodic or challenged).
     *
     * @param duration how long its collectors took
     */
    default void cycle(Duration duration) {
    }

    /** A new evidence went into the queue. */
    default void queued() {
    }

    /** An evidence was posted to a verifier (each try, each verifier). */
    default void sent() {
    }

    /** A verifier took an evidence (HTTP 200); it left the queue. */
    default void accepted() {
    }

    /** A verifier refused an evidence for good (a 4xx other than 401, 403, 408, 429); it left the queue. */
    default void refused() {
    }

    /**
     * A request to {@code verifier} failed.
     *
     * @param verifier the verifier's base URL, as configured
     * @param failure how it failed
     */
    default void failed(URI verifier, Failure failure) {
    }
}
