package dev.attest.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs collectors periodically and on demand, and hands each {@link Cycle} to listeners.
 *
 * <p>Cadence: each collector runs at its own interval (the builder's period by default) on a
 * fixed-rate plan computed from the start time, so cycles do not drift when collectors are slow;
 * an optional jitter delays each cycle by a random amount up to the given bound (to spread a
 * fleet's load). A cycle that overruns its next slot skips the missed slots rather than running
 * them back to back. Collectors with the same interval share a cycle; they run one after the
 * other, never concurrently.
 *
 * <p>Isolation: each collector run has a timeout. A collector that throws, returns nothing
 * usable, or exceeds its timeout yields an {@link Measurement.Status#ERROR} measurement saying
 * so, and the other collectors still run; a timed-out run is interrupted, and while it has not
 * returned that collector is not started again (each later cycle reports it as still busy).
 *
 * <p>Threads: one scheduling thread, plus one worker thread per collector run in progress (so a
 * hung collector cannot stop the schedule). All are daemon threads; {@link #close()} stops them.
 * No busy waiting.
 */
public final class MeasurementScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeasurementScheduler.class);

    private final List<Slot> slots;
    private final Duration jitter;
    private final Duration timeout;
    private final Clock clock;
    private final List<CycleListener> listeners;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private final AtomicLong cycles = new AtomicLong();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean closed;

    private static final class Slot {
        final Collector collector;
        final Duration interval;
        final AtomicBoolean busy = new AtomicBoolean();

        Slot(Collector collector, Duration interval) {
            this.collector = collector;
            this.interval = interval;
        }
    }

    private MeasurementScheduler(Builder b) {
        this.slots = List.copyOf(b.slots.values());
        this.jitter = b.jitter;
        this.timeout = b.timeout;
        this.clock = b.clock;
        this.listeners = List.copyOf(b.listeners);
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, daemon("attest-scheduler"));
        s.setRemoveOnCancelPolicy(true);
        s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = s;
        this.workers = Executors.newCachedThreadPool(daemon("attest-collector"));
    }

    /**
     * Starts a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The collectors, in the order they run.
     *
     * @return the collectors, in run order
     */
    public List<Collector> collectors() {
        List<Collector> out = new ArrayList<>();
        slots.forEach(s -> out.add(s.collector));
        return out;
    }

    /**
     * Starts the periodic cycles; the first cycle of each interval runs at once.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        if (closed || !started.compareAndSet(false, true)) {
            throw new IllegalStateException("scheduler already started or closed");
        }
        Map<Duration, List<Slot>> byInterval = new LinkedHashMap<>();
        for (Slot s : slots) {
            byInterval.computeIfAbsent(s.interval, k -> new ArrayList<>()).add(s);
        }
        long originNanos = System.nanoTime();
        Instant origin = clock.instant();
        byInterval.forEach((interval, group) -> plan(group, interval, origin, originNanos, 0));
    }

    private void plan(List<Slot> group, Duration interval, Instant origin, long originNanos, long tick) {
        if (closed) {
            return;
        }
        long intervalNanos = interval.toNanos();
        long offset = jitter.isZero() ? 0 : ThreadLocalRandom.current().nextLong(jitter.toNanos() + 1);
        long plannedNanos = originNanos + tick * intervalNanos + offset;
        long delay = Math.max(0, plannedNanos - System.nanoTime());
        Instant planned = origin.plusNanos(plannedNanos - originNanos);
        try {
            scheduler.schedule(() -> {
                runCycle(group, planned, null);
                // Skip slots the cycle overran: the next one is the first not yet past.
                long elapsed = System.nanoTime() - originNanos;
                long next = Math.max(tick + 1, -Math.floorDiv(-elapsed, intervalNanos));
                plan(group, interval, origin, originNanos, next);
            }, delay, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closed between the check and the submission: nothing more to plan.
        }
    }

    /**
     * Runs every collector once now, on the scheduling thread (after any cycle in progress),
     * and returns the cycle. Listeners are notified as for periodic cycles.
     *
     * @return the completed cycle
     * @throws InterruptedException if the calling thread is interrupted while waiting
     * @throws IllegalStateException if the scheduler is closed
     */
    public Cycle collectNow() throws InterruptedException {
        return await(submitNow(null));
    }

    /**
     * Runs every collector once now to answer a verifier's challenge; the nonce reaches the
     * collectors through {@link CollectionContext#nonce()} and the listeners through
     * {@link Cycle#nonce()}. For signed evidence carrying the nonce, use attest-evidence's
     * {@code Attester.evidence(nonce)}, which runs this and fills the nonce into the token.
     *
     * @param nonce the verifier's challenge
     * @return the cycle, carrying the nonce
     * @throws InterruptedException if interrupted while waiting for the cycle
     */
    public Cycle collectNow(byte[] nonce) throws InterruptedException {
        return await(submitNow(Objects.requireNonNull(nonce, "nonce").clone()));
    }

    private CompletableFuture<Cycle> submitNow(byte[] nonce) {
        if (closed) {
            throw new IllegalStateException("scheduler is closed");
        }
        CompletableFuture<Cycle> result = new CompletableFuture<>();
        try {
            scheduler.execute(() -> {
                try {
                    result.complete(runCycle(slots, clock.instant(), nonce));
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("scheduler is closed", e);
        }
        return result;
    }

    private static Cycle await(CompletableFuture<Cycle> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(c);
        }
    }

    private Cycle runCycle(List<Slot> group, Instant planned, byte[] nonce) {
        long number = cycles.incrementAndGet();
        Instant startedAt = clock.instant();
        long t0 = System.nanoTime();
        CollectionContext ctx = CollectionContext.of(number, planned, timeout);
        if (nonce != null) {
            ctx = ctx.withNonce(nonce);
        }
        List<Measurement> measurements = new ArrayList<>();
        List<CollectorRun> runs = new ArrayList<>();
        for (Slot slot : group) {
            if (closed) {
                break;
            }
            runCollector(slot, ctx, measurements, runs);
        }
        Cycle cycle = new Cycle(number, planned, startedAt, Duration.ofNanos(System.nanoTime() - t0),
                measurements, runs, java.util.Optional.ofNullable(nonce));
        for (CycleListener l : listeners) {
            try {
                l.onCycle(cycle);
            } catch (RuntimeException e) {
                LOG.warn("cycle listener {} failed on cycle {}", l.getClass().getName(), number, e);
            }
        }
        return cycle;
    }

    private void runCollector(Slot slot, CollectionContext ctx, List<Measurement> out, List<CollectorRun> runs) {
        Collector c = slot.collector;
        Instant runStart = clock.instant();
        long t0 = System.nanoTime();
        if (!slot.busy.compareAndSet(false, true)) {
            out.add(error(c, ctx, "previous run has not returned yet (timed out earlier); not started again"));
            runs.add(new CollectorRun(c.id(), runStart, Duration.ZERO, Measurement.Status.ERROR));
            return;
        }
        final CollectionContext context = ctx;
        Future<List<Measurement>> f;
        try {
            f = workers.submit(() -> {
                try {
                    return c.collect(context);
                } finally {
                    slot.busy.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            slot.busy.set(false);
            out.add(error(c, ctx, "scheduler closed before the collector could run"));
            runs.add(new CollectorRun(c.id(), runStart, Duration.ZERO, Measurement.Status.ERROR));
            return;
        }
        Measurement.Status status = Measurement.Status.OK;
        try {
            List<Measurement> ms = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (ms == null) {
                status = Measurement.Status.ERROR;
                out.add(error(c, ctx, "collector returned null instead of a list"));
            } else {
                for (Measurement m : ms) {
                    if (m == null) {
                        status = Measurement.Status.ERROR;
                        out.add(error(c, ctx, "collector returned a null measurement"));
                    } else if (!m.collectorId().equals(c.id())) {
                        status = Measurement.Status.ERROR;
                        out.add(error(c, ctx, "collector returned a measurement of " + m.component()
                                + " attributed to collector '" + m.collectorId() + "'"));
                    } else {
                        out.add(m);
                    }
                }
            }
        } catch (TimeoutException e) {
            f.cancel(true);
            status = Measurement.Status.ERROR;
            out.add(error(c, ctx, "timed out after " + timeout.toMillis() + " ms"));
        } catch (ExecutionException e) {
            status = Measurement.Status.ERROR;
            Throwable cause = e.getCause() == null ? e : e.getCause();
            out.add(error(c, ctx, "failed: " + cause.getClass().getName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage())));
        } catch (CancellationException e) {
            status = Measurement.Status.ERROR;
            out.add(error(c, ctx, "run was cancelled"));
        } catch (InterruptedException e) {
            // Only close() interrupts the scheduling thread: record the run and stop.
            f.cancel(true);
            Thread.currentThread().interrupt();
            status = Measurement.Status.ERROR;
            out.add(error(c, ctx, "interrupted: scheduler closing"));
        }
        runs.add(new CollectorRun(c.id(), runStart, Duration.ofNanos(System.nanoTime() - t0), status));
    }

    private static Measurement error(Collector c, CollectionContext ctx, String why) {
        String msg = why.length() > Measurement.MAX_MESSAGE_LENGTH
                ? why.substring(0, Measurement.MAX_MESSAGE_LENGTH) : why;
        return Measurement.error(c.id(), ComponentId.of(c.id()), c.layer(), ctx.time(), msg);
    }

    /**
     * Stops planning cycles, waits up to the collector timeout for a cycle in progress, and
     * interrupts any collector still running. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Configures a {@link MeasurementScheduler}. */
    public static final class Builder {
        private record Pending(Collector collector, Duration interval) {
        }

        private final Map<String, Slot> slots = new LinkedHashMap<>();
        private final List<CycleListener> listeners = new ArrayList<>();
        private Duration period = Duration.ofSeconds(60);
        private Duration jitter = Duration.ZERO;
        private Duration timeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private final List<Pending> pending = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a collector that runs at the default {@link #period(Duration)}.
         *
         * @param c the collector
         * @return this builder
         */
        public Builder collector(Collector c) {
            pending.add(new Pending(Objects.requireNonNull(c, "collector"), null));
            return this;
        }

        /**
         * Adds a collector with its own interval.
         *
         * @param c the collector
         * @param interval the interval between its runs
         * @return this builder
         */
        public Builder collector(Collector c, Duration interval) {
            pending.add(new Pending(Objects.requireNonNull(c, "collector"), positive(interval, "interval")));
            return this;
        }

        /**
         * Adds every collector {@link Collector#discover()} finds, at the default period.
         *
         * @return this builder
         */
        public Builder discoveredCollectors() {
            Collector.discover().forEach(this::collector);
            return this;
        }

        /**
         * The default interval between cycles (60 s unless set).
         *
         * @param period the default interval
         * @return this builder
         */
        public Builder period(Duration period) {
            this.period = positive(period, "period");
            return this;
        }

        /**
         * Each cycle starts up to this much later than planned, at random (zero unless set).
         *
         * @param jitter the largest random delay; must be below the shortest interval
         * @return this builder
         */
        public Builder jitter(Duration jitter) {
            Objects.requireNonNull(jitter, "jitter");
            if (jitter.isNegative()) {
                throw new IllegalArgumentException("jitter must not be negative");
            }
            this.jitter = jitter;
            return this;
        }

        /**
         * How long one collector run may take (30 s unless set).
         *
         * @param timeout the longest a collector run may take
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /**
         * The clock that stamps cycles (the system UTC clock unless set).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Adds a listener for completed cycles.
         *
         * @param l the listener
         * @return this builder
         */
        public Builder listener(CycleListener l) {
            listeners.add(Objects.requireNonNull(l, "listener"));
            return this;
        }

        /**
         * @return the scheduler, not yet started
         * @throws IllegalArgumentException with no collectors, a jitter not below the shortest
         *     interval, or two collectors with the same id
         */
        public MeasurementScheduler build() {
            slots.clear();
            for (Pending p : pending) {
                Collector c = p.collector();
                Collector.checkId(c.id());
                Duration interval = p.interval() == null ? period : p.interval();
                if (slots.putIfAbsent(c.id(), new Slot(c, interval)) != null) {
                    throw new IllegalArgumentException("two collectors with id " + c.id());
                }
            }
            if (slots.isEmpty()) {
                throw new IllegalArgumentException("no collectors");
            }
            for (Slot s : slots.values()) {
                if (jitter.compareTo(s.interval) >= 0) {
                    throw new IllegalArgumentException("jitter must be shorter than every interval");
                }
            }
            return new MeasurementScheduler(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }
}
