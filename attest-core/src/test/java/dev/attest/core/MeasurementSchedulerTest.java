package dev.attest.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MeasurementSchedulerTest {
    /** A collector that reports how often it ran, optionally sleeping first. */
    static final class Counting implements Collector {
        final String id;
        final long sleepMillis;
        final AtomicInteger runs = new AtomicInteger();

        Counting(String id, long sleepMillis) {
            this.id = id;
            this.sleepMillis = sleepMillis;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public List<Measurement> collect(CollectionContext ctx) throws InterruptedException {
            if (sleepMillis > 0) {
                Thread.sleep(sleepMillis);
            }
            int n = runs.incrementAndGet();
            return List.of(Measurement.builder(ComponentId.of(id), Layer.APPLICATION).collector(id)
                    .time(ctx.time()).value("run", n).build());
        }
    }

    private static Collector failing(String id, RuntimeException e) {
        return new Collector() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public List<Measurement> collect(CollectionContext ctx) {
                throw e;
            }
        };
    }

    @Test
    void keepsCadenceWhenCollectorsTakeTime() throws Exception {
        BlockingQueue<Cycle> cycles = new LinkedBlockingQueue<>();
        try (MeasurementScheduler s = MeasurementScheduler.builder()
                .collector(new Counting("slow", 40)).period(Duration.ofMillis(150))
                .listener(cycles::add).build()) {
            s.start();
            Cycle first = cycles.poll(5, TimeUnit.SECONDS);
            Cycle last = first;
            for (int i = 0; i < 5; i++) {
                last = cycles.poll(5, TimeUnit.SECONDS);
            }
            // Planned times sit exactly on the fixed-rate grid: a 40 ms collector causes no drift.
            assertEquals(Duration.ofMillis(5 * 150), Duration.between(first.planned(), last.planned()));
            assertEquals(first.number() + 5, last.number());
            assertTrue(last.lateness().compareTo(Duration.ofMillis(100)) < 0, "lateness " + last.lateness());
        }
    }

    @Test
    void jitterDelaysEachCycleWithinItsBound() throws Exception {
        BlockingQueue<Cycle> cycles = new LinkedBlockingQueue<>();
        try (MeasurementScheduler s = MeasurementScheduler.builder().collector(new Counting("c", 0))
                .period(Duration.ofMillis(100)).jitter(Duration.ofMillis(60)).listener(cycles::add).build()) {
            s.start();
            List<Cycle> got = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                got.add(cycles.poll(5, TimeUnit.SECONDS));
            }
            // Cycle k is planned at origin + k * period + jitter_k with 0 <= jitter_k <= 60 ms.
            java.util.Set<Long> offsets = new java.util.HashSet<>();
            Cycle first = got.get(0);
            for (int k = 1; k < got.size(); k++) {
                long sinceFirst = Duration.between(first.planned(), got.get(k).planned()).toNanos();
                long grid = k * 100_000_000L;
                assertTrue(sinceFirst >= grid - 60_000_000L && sinceFirst <= grid + 60_000_000L,
                        "cycle " + k + " planned " + sinceFirst + " ns after the first");
                offsets.add(sinceFirst - grid);
            }
            assertTrue(offsets.size() > 1, "jitter varies between cycles");
        }
    }

    @Test
    void collectorsWithTheirOwnIntervalRunAtTheirOwnRate() throws Exception {
        Counting fast = new Counting("fast", 0);
        Counting slow = new Counting("slow", 0);
        try (MeasurementScheduler s = MeasurementScheduler.builder()
                .collector(fast, Duration.ofMillis(50)).collector(slow, Duration.ofMillis(1000)).build()) {
            s.start();
            Thread.sleep(620);
        }
        assertEquals(1, slow.runs.get());
        assertTrue(fast.runs.get() >= 8 && fast.runs.get() <= 14, "fast ran " + fast.runs.get());
    }

    @Test
    void aThrowingCollectorYieldsAnErrorAndOthersStillRun() throws Exception {
        try (MeasurementScheduler s = MeasurementScheduler.builder()
                .collector(failing("broken", new IllegalStateException("sensor gone")))
                .collector(new Counting("fine", 0)).build()) {
            Cycle c = s.collectNow();
            assertEquals(2, c.measurements().size());
            Measurement err = c.measurements().get(0);
            assertEquals(Measurement.Status.ERROR, err.status());
            assertEquals("broken", err.collectorId());
            assertEquals("failed: java.lang.IllegalStateException: sensor gone", err.message().orElseThrow());
            assertEquals(Measurement.Status.OK, c.measurements().get(1).status());
            assertEquals(List.of(Measurement.Status.ERROR, Measurement.Status.OK),
                    c.runs().stream().map(CollectorRun::status).toList());
        }
    }

    @Test
    void aHangingCollectorTimesOutAndIsNotStartedAgainWhileHung() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger starts = new AtomicInteger();
        Collector hung = new Collector() {
            @Override
            public String id() {
                return "hung";
            }

            @Override
            public List<Measurement> collect(CollectionContext ctx) {
                starts.incrementAndGet();
                // Ignores interruption, as badly written collectors do.
                while (true) {
                    try {
                        if (release.await(10, TimeUnit.SECONDS)) {
                            return List.of();
                        }
                    } catch (InterruptedException ignored) {
                        // keep hanging
                    }
                }
            }
        };
        try (MeasurementScheduler s = MeasurementScheduler.builder().collector(hung)
                .collector(new Counting("fine", 0)).timeout(Duration.ofMillis(200)).build()) {
            Cycle c1 = s.collectNow();
            assertEquals("timed out after 200 ms", c1.measurements().get(0).message().orElseThrow());
            assertEquals(Measurement.Status.OK, c1.measurements().get(1).status());
            Cycle c2 = s.collectNow();
            assertEquals("previous run has not returned yet (timed out earlier); not started again",
                    c2.measurements().get(0).message().orElseThrow());
            assertEquals(1, starts.get());
            release.countDown();
            Thread.sleep(100);
            Cycle c3 = s.collectNow();
            assertEquals(2, starts.get());
            assertEquals(List.of("fine"), c3.measurements().stream().map(Measurement::collectorId).toList());
        }
    }

    @Test
    void misattributedAndNullResultsAreReportedNotDropped() throws Exception {
        Collector liar = new Collector() {
            @Override
            public String id() {
                return "liar";
            }

            @Override
            public List<Measurement> collect(CollectionContext ctx) {
                return List.of(Measurement.builder(ComponentId.of("x"), Layer.OS).collector("someone-else")
                        .time(ctx.time()).value("v", 1).build());
            }
        };
        Collector nothing = new Collector() {
            @Override
            public String id() {
                return "null";
            }

            @Override
            public List<Measurement> collect(CollectionContext ctx) {
                return null;
            }
        };
        try (MeasurementScheduler s = MeasurementScheduler.builder().collector(liar).collector(nothing).build()) {
            Cycle c = s.collectNow();
            assertEquals(List.of("collector returned a measurement of x attributed to collector 'someone-else'",
                    "collector returned null instead of a list"),
                    c.measurements().stream().map(m -> m.message().orElseThrow()).toList());
        }
    }

    @Test
    void challengeNonceReachesCollectors() throws Exception {
        List<byte[]> seen = new CopyOnWriteArrayList<>();
        Collector c = new Collector() {
            @Override
            public String id() {
                return "nonce";
            }

            @Override
            public List<Measurement> collect(CollectionContext ctx) {
                ctx.nonce().ifPresent(seen::add);
                return List.of(Measurement.builder(ComponentId.of("n"), Layer.TPM).collector("nonce")
                        .time(ctx.time()).value("has-nonce", ctx.nonce().isPresent()).build());
            }
        };
        try (MeasurementScheduler s = MeasurementScheduler.builder().collector(c).build()) {
            Cycle challenged = s.collectNow(new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, challenged.nonce().orElseThrow());
            assertEquals(java.util.Optional.empty(), s.collectNow().nonce());
        }
        assertEquals(1, seen.size());
        assertArrayEquals(new byte[] {1, 2, 3}, seen.get(0));
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() throws Exception {
        List<Long> got = new CopyOnWriteArrayList<>();
        try (MeasurementScheduler s = MeasurementScheduler.builder().collector(new Counting("c", 0))
                .listener(cy -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(cy -> got.add(cy.number())).build()) {
            s.collectNow();
            s.collectNow();
        }
        assertEquals(List.of(1L, 2L), got);
    }

    @Test
    void closeStopsCyclesAndRefusesWork() throws Exception {
        Counting c = new Counting("c", 0);
        MeasurementScheduler s = MeasurementScheduler.builder().collector(c).period(Duration.ofMillis(20)).build();
        s.start();
        Thread.sleep(100);
        s.close();
        int after = c.runs.get();
        Thread.sleep(100);
        assertEquals(after, c.runs.get());
        assertThrows(IllegalStateException.class, s::collectNow);
        assertThrows(IllegalStateException.class, s::start);
    }

    @Test
    void builderRejectsMisconfiguration() {
        assertThrows(IllegalArgumentException.class, () -> MeasurementScheduler.builder().build());
        assertThrows(IllegalArgumentException.class, () -> MeasurementScheduler.builder()
                .collector(new Counting("a", 0)).collector(new Counting("a", 0)).build());
        assertThrows(IllegalArgumentException.class, () -> MeasurementScheduler.builder()
                .collector(new Counting("a", 0)).period(Duration.ofSeconds(1)).jitter(Duration.ofSeconds(1)).build());
        assertThrows(IllegalArgumentException.class, () -> MeasurementScheduler.builder().period(Duration.ZERO));
    }
}
