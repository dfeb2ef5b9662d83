package dev.attest.core.collectors;

import static dev.attest.core.collectors.ImaCollectorTest.CTX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.CollectionContext;
import dev.attest.core.Collector;
import dev.attest.core.CollectorRun;
import dev.attest.core.ComponentId;
import dev.attest.core.Cycle;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementScheduler;
import dev.attest.core.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TimingCollectorTest {
    static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");

    static Map<String, Measurement> byName(List<Measurement> ms) {
        return ms.stream().collect(Collectors.toMap(m -> m.component().name(), m -> m));
    }

    static double real(Measurement m, String name) {
        return ((Value.Real) m.value(name).orElseThrow(() -> new AssertionError(name + " in " + m))).value();
    }

    static long integer(Measurement m, String name) {
        return ((Value.Int) m.value(name).orElseThrow()).value();
    }

    /** A cycle every 10 s, started late by lateMs[i], in which "a" ran for durMs[i]. */
    static Cycle cycle(int i, long lateMs, long durMs, Measurement.Status status) {
        Instant planned = T0.plusSeconds(10L * i);
        Instant started = planned.plusMillis(lateMs);
        return new Cycle(i + 1, planned, started, Duration.ofMillis(durMs + 1), List.of(),
                List.of(new CollectorRun("a", started, Duration.ofMillis(durMs), status)));
    }

    @Test
    void statisticsOnSyntheticDelaysAreExact() throws Exception {
        TimingCollector t = new TimingCollector(100);
        // Durations 1..100 ms in shuffled order; lateness 0,5,0,5,... ms.
        List<Integer> order = new java.util.ArrayList<>();
        for (int k = 1; k <= 100; k++) {
            order.add(k);
        }
        java.util.Collections.shuffle(order, new java.util.Random(3));
        for (int i = 0; i < 100; i++) {
            t.onCycle(cycle(i, i % 2 == 0 ? 0 : 5, order.get(i), i < 3 ? Measurement.Status.ERROR : Measurement.Status.OK));
        }
        Map<String, Measurement> ms = byName(t.collect(CTX));
        Measurement a = ms.get("collector-duration:a");
        assertEquals(Layer.TIMING, a.layer());
        assertEquals(1.0, real(a, "min-ms"));
        assertEquals(50.0, real(a, "median-ms"));
        assertEquals(99.0, real(a, "p99-ms"));
        assertEquals(100.0, real(a, "max-ms"));
        assertEquals(order.get(99).doubleValue(), real(a, "last-ms"));
        assertEquals(100, integer(a, "samples"));
        assertEquals(3, integer(a, "error-runs"));
        Measurement late = ms.get("scheduler-lateness");
        assertEquals(0.0, real(late, "min-ms"));
        assertEquals(0.0, real(late, "median-ms")); // 50 zeros, 50 fives: rank 50 is a zero
        assertEquals(5.0, real(late, "max-ms"));
        Measurement jitter = ms.get("scheduler-jitter");
        assertEquals(99, integer(jitter, "samples"));
        assertEquals(5.0, real(jitter, "min-ms"));
        assertEquals(5.0, real(jitter, "max-ms"));
        // The window slides: 100 more cycles of 7 ms push every earlier sample out.
        for (int i = 100; i < 200; i++) {
            t.onCycle(cycle(i, 0, 7, Measurement.Status.OK));
        }
        Measurement slid = byName(t.collect(CTX)).get("collector-duration:a");
        assertEquals(7.0, real(slid, "min-ms"));
        assertEquals(7.0, real(slid, "max-ms"));
        assertEquals(0, integer(slid, "error-runs"));
    }

    @Test
    void workloadResultIsTheFixedChainAndSystemValuesAreRead() throws Exception {
        TimingCollector t = new TimingCollector();
        Map<String, Measurement> ms = byName(t.collect(CTX));
        Measurement w = ms.get("workload");
        // Recompute the chain independently.
        byte[] h = new byte[32];
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        for (int done = 0; done < TimingCollector.WORKLOAD_BYTES; done += 1 << 16) {
            byte[] block = new byte[1 << 16];
            for (int i = 0; i < block.length; i += 32) {
                System.arraycopy(h, 0, block, i, 32);
            }
            md.update(h);
            md.update(block);
            h = md.digest();
        }
        assertArrayEquals(h, ((Value.Bytes) w.value("result").orElseThrow()).value());
        assertTrue(real(w, "min-ms") > 0);
        Measurement sys = ms.get("system");
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim(),
                ((Value.Text) sys.value("boot-id").orElseThrow()).value());
        double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        assertTrue(Math.abs(real(sys, "uptime-s") - uptime) < 5, sys.toString());
    }

    @Test
    void aSleepingCollectorShowsUpInARealScheduler() throws Exception {
        Collector sleepy = new Collector() {
            @Override
            public String id() {
                return "sleepy";
            }

            @Override
            public List<Measurement> collect(CollectionContext c) throws InterruptedException {
                Thread.sleep(150);
                return List.of(Measurement.builder(ComponentId.of("z"), Layer.APPLICATION).collector("sleepy")
                        .time(c.time()).digest(DigestAlgorithm.SHA_256.hash(new byte[1])).build());
            }
        };
        TimingCollector t = new TimingCollector();
        try (MeasurementScheduler s = MeasurementScheduler.builder().collector(sleepy).collector(t).listener(t)
                .period(Duration.ofHours(1)).timeout(Duration.ofSeconds(10)).build()) {
            s.collectNow();
            s.collectNow();
            Cycle third = s.collectNow();
            Map<String, Measurement> ms = byName(third.measurements().stream()
                    .filter(m -> m.collectorId().equals("timing")).collect(Collectors.toList()));
            Measurement d = ms.get("collector-duration:sleepy");
            assertEquals(2, integer(d, "samples"));
            assertTrue(real(d, "min-ms") >= 150, d.toString());
            Measurement own = ms.get("collector-duration:timing");
            assertTrue(real(own, "max-ms") < real(d, "min-ms"), own + " vs " + d);
        }
    }
}
