package dev.attest.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How one collector's run went in one cycle: when it started, how long it took, and its outcome
 * (ERROR when it threw, timed out, or was still busy with an earlier run). Device timing
 * statistics are built from these.
 *
 * @param collectorId the collector's id
 * @param started when the run started
 * @param duration how long it took (up to the timeout, for a run that was cancelled)
 * @param status OK when the collector returned (its measurements may still say UNSUPPORTED or
 *     ERROR for individual components), ERROR otherwise
 */
public record CollectorRun(String collectorId, Instant started, Duration duration,
        Measurement.Status status) {
    /**
     * Checks the id and that no part is null.
     *
     * @param collectorId the collector's id
     * @param started when the run started
     * @param duration how long it took
     * @param status how the run ended
     */
    public CollectorRun {
        Collector.checkId(collectorId);
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(status, "status");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative");
        }
    }
}
