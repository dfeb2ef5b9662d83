package dev.attest.verify;

import dev.attest.core.Digest;
import dev.attest.core.Measurement;
import dev.attest.verify.ear.TrustTier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Continuous attestation over time (RFC 9334 §10, freshness; the SDK's "continuous attestation"):
 * watches the stream of {@link AttestationResult}s of each device and tells a listener when a
 * device misses its expected period ({@link Stale}), when its status changes
 * ({@link StatusChanged}), and when its measurements change between consecutive appraisals
 * ({@link MeasurementsChanged}).
 *
 * <p>What counts as "seen": only a <em>live</em> result — its signature verified and it has none
 * of the findings that make evidence not fresh or not new (wrong or reused nonce, {@code iat}
 * missing or in the future, too old, expired, a replayed sequence). A replayed token therefore
 * never keeps a silent device looking alive, and its old measurements are never compared. Every
 * result of an identified device, live or not, counts for {@link StatusChanged}: a replay that
 * turns the status to contraindicated is news. Results without a device are ignored.
 *
 * <p>Deadlines: a device with period {@code p} (its own, or the builder's default) last seen at
 * {@code t} is stale after {@code t + k·p + grace} for {@code k = 1, 2, ...}; each missed deadline
 * is reported once, by the first {@link #check} after it (a check long after the last sighting
 * reports the latest missed deadline only). A device registered with {@link #expect} and never
 * seen counts from its registration.
 *
 * <p>Thread-safe: {@link #record} and {@link #check} may run concurrently from any threads. The
 * events of one device are delivered in the order their records and checks were applied, on the
 * calling thread, while that device's state is locked: the listener must be quick and must not
 * wait for another thread that records the same device. A listener that throws loses that one
 * event (logged through {@link System.Logger}); the monitor and a scheduled check keep running.
 */
public final class AttestationMonitor {
    private static final System.Logger LOG = System.getLogger(AttestationMonitor.class.getName());
    // A live result has none of these: each says the evidence is not fresh or not new.
    private static final Set<String> NOT_LIVE = Set.of(Checks.NONCE, Checks.NONCE_REPLAY, Checks.IAT_MISSING,
            Checks.IAT_FUTURE, Checks.STALE, Checks.EXPIRED, Checks.REPLAY, Checks.EVIDENCE, Checks.IDENTITY_UNKNOWN,
            Checks.IDENTITY_MISMATCH);

    /** Something the monitor noticed about one device. */
    public sealed interface Event permits Stale, StatusChanged, MeasurementsChanged {
        /**
         * The device.
         *
         * @return the device id
         */
        String device();
    }

    /**
     * The device missed a deadline: no live result since {@code lastSeen}.
     *
     * @param device the device
     * @param lastSeen its last live result's appraisal time; empty if never seen since {@link #expect}
     * @param expectedBy the deadline it missed
     */
    public record Stale(String device, Optional<Instant> lastSeen, Instant expectedBy) implements Event {
        /**
         * Validates the parts.
         *
         * @param device the device
         * @param lastSeen its last live result's appraisal time; empty if never seen since {@link #expect}
         * @param expectedBy the deadline it missed
         */
        public Stale {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(lastSeen, "lastSeen");
            Objects.requireNonNull(expectedBy, "expectedBy");
        }
    }

    /**
     * The device's overall status changed from one result to the next.
     *
     * @param device the device
     * @param from the status of its previous result
     * @param to the status of this result
     */
    public record StatusChanged(String device, TrustTier from, TrustTier to) implements Event {
        /**
         * Validates the parts.
         *
         * @param device the device
         * @param from the status of its previous result
         * @param to the status of this result
         */
        public StatusChanged {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    /**
     * The device's measurements differ from its previous live result's, compared per component
     * name by the set of digests.
     *
     * @param device the device
     * @param added component names present now and not before (sorted)
     * @param removed component names present before and not now (sorted)
     * @param changed component names present in both with other digests (sorted)
     */
    public record MeasurementsChanged(String device, SortedSet<String> added, SortedSet<String> removed,
            SortedSet<String> changed) implements Event {
        /**
         * Copies the sets (unmodifiable).
         *
         * @param device the device
         * @param added component names present now and not before (sorted)
         * @param removed component names present before and not now (sorted)
         * @param changed component names present in both with other digests (sorted)
         */
        public MeasurementsChanged {
            Objects.requireNonNull(device, "device");
            added = Collections.unmodifiableSortedSet(new TreeSet<>(added));
            removed = Collections.unmodifiableSortedSet(new TreeSet<>(removed));
            changed = Collections.unmodifiableSortedSet(new TreeSet<>(changed));
        }
    }

    private final Consumer<Event> listener;
    private final Optional<Duration> defaultPeriod;
    private final Duration grace;
    private final Clock clock;
    private final ConcurrentHashMap<String, Track> tracks = new ConcurrentHashMap<>();

    private AttestationMonitor(Builder b) {
        this.listener = b.listener;
        this.defaultPeriod = b.defaultPeriod;
        this.grace = b.grace;
        this.clock = b.clock;
    }

    /**
     * A builder; {@link Builder#listener} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Expects {@code device} to produce a live result every {@code period} from now on (the
     * monitor's clock); replaces an earlier period. Counts from now if the device was never seen.
     *
     * @param device the device id
     * @param period the longest time between two live results
     * @throws IllegalArgumentException if {@code period} is not positive
     */
    public void expect(String device, Duration period) {
        Objects.requireNonNull(device, "device");
        checkPositive(period, "period");
        Instant now = clock.instant();
        Track t = tracks.computeIfAbsent(device, d -> new Track(now));
        synchronized (t) {
            t.period = Optional.of(period);
        }
    }

    /**
     * Stops watching {@code device} and forgets what was known about it.
     *
     * @param device the device id
     */
    public void forget(String device) {
        tracks.remove(Objects.requireNonNull(device, "device"));
    }

    /**
     * Takes one appraisal into account and delivers the events it causes.
     *
     * @param result the appraisal
     * @return the events delivered (empty if none, or if the result names no device)
     */
    public List<Event> record(AttestationResult result) {
        Objects.requireNonNull(result, "result");
        if (result.device().isEmpty()) {
            return List.of();
        }
        String device = result.device().get();
        Track t = tracks.computeIfAbsent(device, d -> new Track(result.appraisedAt()));
        List<Event> events = new ArrayList<>(2);
        synchronized (t) {
            if (t.status != null && t.status != result.status()) {
                events.add(new StatusChanged(device, t.status, result.status()));
            }
            t.status = result.status();
            if (live(result)) {
                SortedMap<String, SortedSet<String>> now = digests(result);
                if (t.measurements != null) {
                    diff(device, t.measurements, now).ifPresent(events::add);
                }
                t.measurements = now;
                if (t.lastSeen.isEmpty() || result.appraisedAt().isAfter(t.lastSeen.get())) {
                    t.lastSeen = Optional.of(result.appraisedAt());
                    t.reported = null;
                }
            }
            deliver(events);
        }
        return events;
    }

    /**
     * Reports every device whose deadline passed before {@code now} and was not reported yet.
     *
     * @param now the time to check against
     * @return the {@link Stale} events delivered
     */
    public List<Event> check(Instant now) {
        Objects.requireNonNull(now, "now");
        List<Event> all = new ArrayList<>();
        for (Map.Entry<String, Track> e : tracks.entrySet()) {
            Track t = e.getValue();
            synchronized (t) {
                Optional<Duration> period = t.period.or(() -> defaultPeriod);
                if (period.isEmpty()) {
                    continue;
                }
                Duration p = period.get();
                Instant base = t.lastSeen.orElse(t.since);
                Instant first = base.plus(p).plus(grace);
                if (!now.isAfter(first)) {
                    continue;
                }
                // The latest deadline before now: base + k·p + grace with k >= 1.
                long k = Duration.between(base.plus(grace), now).minusNanos(1).dividedBy(p);
                Instant deadline = base.plus(p.multipliedBy(Math.max(1, k))).plus(grace);
                if (t.reported == null || deadline.isAfter(t.reported)) {
                    t.reported = deadline;
                    Event stale = new Stale(e.getKey(), t.lastSeen, deadline);
                    deliver(List.of(stale));
                    all.add(stale);
                }
            }
        }
        return all;
    }

    /**
     * Runs {@link #check} with the monitor's clock every {@code interval} on {@code executor}
     * (which the caller owns and shuts down); cancel the returned future to stop.
     *
     * @param executor the executor that runs the checks
     * @param interval the time between two checks
     * @return the future of the periodic checks
     * @throws IllegalArgumentException if {@code interval} is not positive
     */
    public ScheduledFuture<?> schedule(ScheduledExecutorService executor, Duration interval) {
        Objects.requireNonNull(executor, "executor");
        checkPositive(interval, "interval");
        long nanos = interval.toNanos();
        return executor.scheduleAtFixedRate(() -> check(clock.instant()), nanos, nanos, TimeUnit.NANOSECONDS);
    }

    private void deliver(List<Event> events) {
        for (Event e : events) {
            try {
                listener.accept(e);
            } catch (RuntimeException x) {
                LOG.log(System.Logger.Level.WARNING, "attestation monitor listener failed on " + e, x);
            }
        }
    }

    private static boolean live(AttestationResult r) {
        return r.claims().isPresent() && r.findings().stream().noneMatch(f -> NOT_LIVE.contains(f.check()));
    }

    private static SortedMap<String, SortedSet<String>> digests(AttestationResult r) {
        SortedMap<String, SortedSet<String>> out = new TreeMap<>();
        for (Measurement m : r.claims().orElseThrow().allMeasurements()) {
            SortedSet<String> ds = out.computeIfAbsent(m.component().name(), n -> new TreeSet<>());
            for (Digest d : m.digests()) {
                ds.add(d.toString());
            }
        }
        return out;
    }

    private static Optional<Event> diff(String device, SortedMap<String, SortedSet<String>> before,
            SortedMap<String, SortedSet<String>> now) {
        SortedSet<String> added = new TreeSet<>(now.keySet());
        added.removeAll(before.keySet());
        SortedSet<String> removed = new TreeSet<>(before.keySet());
        removed.removeAll(now.keySet());
        SortedSet<String> changed = new TreeSet<>();
        for (Map.Entry<String, SortedSet<String>> e : now.entrySet()) {
            SortedSet<String> old = before.get(e.getKey());
            if (old != null && !old.equals(e.getValue())) {
                changed.add(e.getKey());
            }
        }
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty() ? Optional.empty()
                : Optional.of(new MeasurementsChanged(device, added, removed, changed));
    }

    private static void checkPositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** Per device; guarded by its own monitor. */
    private static final class Track {
        final Instant since;
        Optional<Duration> period = Optional.empty();
        Optional<Instant> lastSeen = Optional.empty();
        Instant reported;
        TrustTier status;
        SortedMap<String, SortedSet<String>> measurements;

        Track(Instant since) {
            this.since = since;
        }
    }

    /** Configures an {@link AttestationMonitor}. */
    public static final class Builder {
        private Consumer<Event> listener;
        private Optional<Duration> defaultPeriod = Optional.empty();
        private Duration grace = Duration.ZERO;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * Receives every event (required).
         *
         * @param l the listener
         * @return this builder
         */
        public Builder listener(Consumer<Event> l) {
            listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        /**
         * The period of every device without its own (default: none, only {@link #expect}ed devices go stale).
         *
         * @param p the default period
         * @return this builder
         */
        public Builder period(Duration p) {
            checkPositive(p, "period");
            defaultPeriod = Optional.of(p);
            return this;
        }

        /**
         * How late a device may be before it is stale (default zero; devices that jitter need some).
         *
         * @param g the grace time
         * @return this builder
         */
        public Builder grace(Duration g) {
            Objects.requireNonNull(g, "grace");
            if (g.isNegative()) {
                throw new IllegalArgumentException("grace must not be negative");
            }
            grace = g;
            return this;
        }

        /**
         * The clock for {@link #expect} and {@link #schedule} (default: system UTC).
         *
         * @param c the clock
         * @return this builder
         */
        public Builder clock(Clock c) {
            clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /**
         * The monitor.
         *
         * @return the monitor
         * @throws IllegalStateException if no listener was set
         */
        public AttestationMonitor build() {
            if (listener == null) {
                throw new IllegalStateException("a listener is required");
            }
            return new AttestationMonitor(this);
        }
    }
}
