package dev.attest.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One measurement cycle of a {@link MeasurementScheduler}: every measurement its collectors
 * produced (including the ERROR ones the scheduler made for collectors that failed) and how
 * each collector's run went. Immutable.
 *
 * @param number 1 for the scheduler's first cycle, then increasing by one
 * @param planned when the cycle was due
 * @param started when it actually started; {@code started - planned} is the scheduler's lateness
 * @param duration how long the whole cycle took
 * @param measurements the measurements, in collector order
 * @param runs one entry per collector that was due in this cycle
 * @param nonce the verifier's challenge when the cycle answers one ({@link
 *     MeasurementScheduler#collectNow(byte[])}); copied in and out
 */
public record Cycle(long number, Instant planned, Instant started, Duration duration,
        List<Measurement> measurements, List<CollectorRun> runs, Optional<byte[]> nonce) {
    /**
     * Checks the parts and copies the lists and the nonce.
     *
     * @param number the cycle number, from 1
     * @param planned when the cycle was due
     * @param started when it actually started
     * @param duration how long the whole cycle took
     * @param measurements the measurements, in collector order
     * @param runs one entry per collector that was due in this cycle
     * @param nonce the verifier's challenge, or empty for a periodic cycle
     */
    public Cycle {
        if (number < 1) {
            throw new IllegalArgumentException("cycle numbers start at 1");
        }
        Objects.requireNonNull(planned, "planned");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(duration, "duration");
        measurements = List.copyOf(measurements);
        runs = List.copyOf(runs);
        nonce = Objects.requireNonNull(nonce, "nonce").map(byte[]::clone);
    }

    /**
     * A cycle that answers no challenge.
     *
     * @param number the cycle number, from 1
     * @param planned when the cycle was due
     * @param started when it actually started
     * @param duration how long the whole cycle took
     * @param measurements the measurements, in collector order
     * @param runs one entry per collector that was due in this cycle
     */
    public Cycle(long number, Instant planned, Instant started, Duration duration,
            List<Measurement> measurements, List<CollectorRun> runs) {
        this(number, planned, started, duration, measurements, runs, Optional.empty());
    }

    /**
     * The challenge this cycle answers, as a copy; empty for a periodic cycle.
     *
     * @return a copy of the nonce, or empty
     */
    @Override
    public Optional<byte[]> nonce() {
        return nonce.map(byte[]::clone);
    }

    /**
     * How late the cycle started against its plan (zero if early).
     *
     * @return {@code started - planned}, or zero if the cycle started early
     */
    public Duration lateness() {
        Duration d = Duration.between(planned, started);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
