package dev.attest.core.collectors;

import dev.attest.core.CollectionContext;
import dev.attest.core.Collector;
import dev.attest.core.CollectorRun;
import dev.attest.core.ComponentId;
import dev.attest.core.Cycle;
import dev.attest.core.CycleListener;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.internal.stats.SlidingWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Device timing statistics: how long each collector's runs take, how late and how irregularly
 * the scheduler starts its cycles, how long a fixed workload takes (a slowed, throttled or
 * emulated device stands out against its reference), the system uptime and the boot id. Each
 * statistic is over a sliding window of the last N samples (60 by default): min, median, p99 and
 * max by the nearest-rank method, so each is an observed sample.
 *
 * <p>Wiring: register the same instance as a collector and as a listener
 * ({@code builder.collector(t).listener(t)}); the statistics of cycle k then cover the cycles
 * completed before it. Discovered through {@link java.util.ServiceLoader} alone it only sees its
 * own workload, uptime and boot id.
 *
 * <p>Reports, in layer {@link Layer#TIMING}, measurements with the reals {@code min-ms},
 * {@code median-ms}, {@code p99-ms}, {@code max-ms}, {@code last-ms} and the int
 * {@code samples}, named:
 * <ul>
 * <li>{@code collector-duration:<id>} for every collector seen (plus the int {@code error-runs}:
 *     runs in the window that threw or timed out);</li>
 * <li>{@code scheduler-lateness} (actual minus planned cycle start, zero when early),
 *     {@code scheduler-jitter} (change of lateness between consecutive cycles, in absolute
 *     value: how far the interval between two starts deviated from the planned interval),
 *     {@code cycle-duration};</li>
 * <li>{@code workload}: the duration of a fixed workload (a SHA-256 chain over
 *     {@value #WORKLOAD_BYTES} bytes), with {@code work-bytes} (int) and {@code result} (bytes,
 *     the chain's final hash: a constant a verifier can check, so the work cannot be skipped);</li>
 * <li>{@code system}: {@code uptime-s} (real, from {@code /proc/uptime}) and {@code boot-id}
 *     (text, from {@code /proc/sys/kernel/random/boot_id}); UNSUPPORTED when those files do not
 *     exist.</li>
 * </ul>
 * Thread-safe: the listener and the collector may run on different threads.
 */
public final class TimingCollector implements Collector, CycleListener {
    /** Id of this collector. */
    public static final String ID = "timing";
    /** Default window: samples kept per statistic. */
    public static final int DEFAULT_WINDOW = 60;
    /** Bytes hashed by the fixed workload. */
    public static final int WORKLOAD_BYTES = 4 << 20;
    private static final int BLOCK = 1 << 16;
    private static final Path UPTIME = Path.of("/proc/uptime");
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private final int window;
    private final Map<String, SlidingWindow> durations = new TreeMap<>();
    private final Map<String, FlagWindow> errors = new TreeMap<>();
    private final SlidingWindow lateness;
    private final SlidingWindow jitter;
    private final SlidingWindow cycleDuration;
    private final SlidingWindow workload;
    private Duration lastLateness;

    /** A timing collector with the default window (ServiceLoader entry point). */
    public TimingCollector() {
        this(DEFAULT_WINDOW);
    }

    /**
     * A timing collector keeping the last {@code window} samples per statistic.
     *
     * @param window the number of samples kept per statistic
     * @throws IllegalArgumentException if {@code window < 1}
     */
    public TimingCollector(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1");
        }
        this.window = window;
        this.lateness = new SlidingWindow(window);
        this.jitter = new SlidingWindow(window);
        this.cycleDuration = new SlidingWindow(window);
        this.workload = new SlidingWindow(window);
    }

    @Override
    public String id() {
        return ID;
    }

    /** Records a completed cycle's timings. */
    @Override
    public synchronized void onCycle(Cycle cycle) {
        for (CollectorRun run : cycle.runs()) {
            durations.computeIfAbsent(run.collectorId(), k -> new SlidingWindow(window)).add(ms(run.duration()));
            errors.computeIfAbsent(run.collectorId(), k -> new FlagWindow(window))
                    .add(run.status() != Measurement.Status.OK);
        }
        Duration late = cycle.lateness();
        lateness.add(ms(late));
        if (lastLateness != null) {
            jitter.add(ms(late.minus(lastLateness).abs()));
        }
        lastLateness = late;
        cycleDuration.add(ms(cycle.duration()));
    }

    @Override
    public List<Measurement> collect(CollectionContext context) throws IOException {
        Instant time = context.time();
        long t0 = System.nanoTime();
        byte[] result = runWorkload();
        long took = System.nanoTime() - t0;
        List<Measurement> out = new ArrayList<>();
        synchronized (this) {
            workload.add(took / 1e6);
            durations.forEach((id, w) -> out.add(stats("collector-duration:" + id, w, time)
                    .value("error-runs", errors.get(id).count()).build()));
            Map<String, SlidingWindow> scheduler = new TreeMap<>(Map.of("scheduler-lateness", lateness,
                    "scheduler-jitter", jitter, "cycle-duration", cycleDuration));
            for (Map.Entry<String, SlidingWindow> e : scheduler.entrySet()) {
                if (e.getValue().size() > 0) {
                    out.add(stats(e.getKey(), e.getValue(), time).build());
                }
            }
            out.add(stats("workload", workload, time).value("work-bytes", WORKLOAD_BYTES)
                    .value("result", new dev.attest.core.Value.Bytes(result)).build());
        }
        out.add(system(time));
        return out;
    }

    private Measurement.Builder stats(String name, SlidingWindow w, Instant time) {
        SlidingWindow.Stats s = w.stats();
        return Measurement.builder(ComponentId.of(name), Layer.TIMING).collector(ID).time(time)
                .value("min-ms", s.min()).value("median-ms", s.median()).value("p99-ms", s.p99())
                .value("max-ms", s.max()).value("last-ms", s.last()).value("samples", s.samples());
    }

    private Measurement system(Instant time) {
        ComponentId c = ComponentId.of("system");
        try {
            String up = Files.readString(UPTIME).trim().split("\\s+")[0];
            String bootId = Files.readString(BOOT_ID).trim();
            return Measurement.builder(c, Layer.TIMING).collector(ID).time(time)
                    .value("uptime-s", Double.parseDouble(up)).value("boot-id", bootId).build();
        } catch (IOException | NumberFormatException e) {
            return Measurement.unsupported(ID, c, Layer.TIMING, time,
                    "cannot read " + UPTIME + " / " + BOOT_ID + ": " + e);
        }
    }

    /** The fixed workload: a SHA-256 chain h = SHA-256(h || block), block derived from h. */
    static byte[] runWorkload() {
        MessageDigest md = DigestAlgorithm.SHA_256.newMessageDigest();
        byte[] h = new byte[32];
        byte[] block = new byte[BLOCK];
        for (int done = 0; done < WORKLOAD_BYTES; done += BLOCK) {
            for (int i = 0; i < BLOCK; i += 32) {
                System.arraycopy(h, 0, block, i, 32);
            }
            md.update(h);
            md.update(block);
            h = md.digest();
        }
        return h;
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    /** The last n booleans, counting the true ones. */
    private static final class FlagWindow {
        private final java.util.ArrayDeque<Boolean> q = new java.util.ArrayDeque<>();
        private final int cap;

        FlagWindow(int cap) {
            this.cap = cap;
        }

        void add(boolean b) {
            if (q.size() == cap) {
                q.removeFirst();
            }
            q.addLast(b);
        }

        long count() {
            return q.stream().filter(x -> x).count();
        }
    }

    @Override
    public String toString() {
        return "TimingCollector[window=" + window + "]";
    }
}
