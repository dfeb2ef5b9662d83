package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.verify.AttestationMonitor.Event;
import dev.attest.verify.AttestationMonitor.MeasurementsChanged;
import dev.attest.verify.AttestationMonitor.Stale;
import dev.attest.verify.AttestationMonitor.StatusChanged;
import dev.attest.verify.ear.TrustTier;
import dev.attest.verify.ear.TrustVector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The monitor on real appraisal results of real evidence, with a clock moved by hand. */
class AttestationMonitorTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private TestDevice device;
    private Verifier verifier;

    @BeforeEach
    void setUp() throws Exception {
        device = new TestDevice("dev-1");
        TestDevice golden = new TestDevice("golden");
        ReferenceValues refs = ReferenceValues.capture(EvidenceDecoder.builder(KeyResolver.single(golden.publicKey()))
                .build().decode(golden.evidence()).claims());
        verifier = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of("dev-1", device.publicKey())))
                .referenceValues(refs).clock(clock).build();
    }

    private AttestationMonitor monitor() {
        return AttestationMonitor.builder().listener(events::add).grace(Duration.ofSeconds(30)).clock(clock).build();
    }

    /** The device's next evidence, issued and appraised at {@code t}. */
    private AttestationResult appraiseAt(Instant t, byte[] token) {
        clock.set(t);
        return verifier.appraise(token, AppraisalContext.periodic());
    }

    private byte[] evidenceAt(Instant t) throws Exception {
        device.now = t;
        return device.evidence();
    }

    @Test
    void missedPeriodsAreStaleOncePerDeadline() throws Exception {
        AttestationMonitor m = monitor();
        m.expect("dev-1", Duration.ofMinutes(5));
        assertEquals(List.of(), m.record(appraiseAt(T0, evidenceAt(T0))));
        Instant first = T0.plus(Duration.ofMinutes(5)).plusSeconds(30);
        assertEquals(List.of(), m.check(first));
        List<Event> late = m.check(first.plusNanos(1));
        assertEquals(List.of(new Stale("dev-1", Optional.of(T0), first)), late);
        assertEquals(List.of(), m.check(first.plusSeconds(10)));
        // Two more periods of silence, looked at once: the latest missed deadline only.
        Instant third = T0.plus(Duration.ofMinutes(15)).plusSeconds(30);
        assertEquals(List.of(new Stale("dev-1", Optional.of(T0), third)), m.check(third.plusSeconds(1)));
        // A live result resets the clock.
        Instant back = T0.plus(Duration.ofMinutes(16));
        m.record(appraiseAt(back, evidenceAt(back)));
        assertEquals(List.of(), m.check(back.plus(Duration.ofMinutes(5))));
        assertEquals(List.of(new Stale("dev-1", Optional.of(back), back.plus(Duration.ofMinutes(5)).plusSeconds(30))),
                m.check(back.plus(Duration.ofMinutes(6))));
        assertEquals(late.get(0), events.get(0));
        assertEquals(3, events.size());
    }

    @Test
    void aReplayedTokenDoesNotKeepASilentDeviceAlive() throws Exception {
        AttestationMonitor m = monitor();
        m.expect("dev-1", Duration.ofMinutes(5));
        byte[] token = evidenceAt(T0);
        m.record(appraiseAt(T0, token));
        // The attacker replays the token within its freshness window.
        AttestationResult replay = appraiseAt(T0.plus(Duration.ofMinutes(4)), token);
        assertEquals(List.of(Checks.REPLAY), replay.findings().stream().map(Finding::check).toList());
        assertEquals(List.of(new StatusChanged("dev-1", TrustTier.AFFIRMING, TrustTier.CONTRAINDICATED)),
                m.record(replay));
        assertEquals(List.of(new Stale("dev-1", Optional.of(T0), T0.plus(Duration.ofMinutes(5)).plusSeconds(30))),
                m.check(T0.plus(Duration.ofMinutes(6))));
    }

    @Test
    void neverSeenDeviceIsStaleFromItsRegistration() {
        AttestationMonitor m = AttestationMonitor.builder().listener(events::add).period(Duration.ofMinutes(1))
                .clock(clock).build();
        m.expect("dev-9", Duration.ofMinutes(2));
        assertEquals(List.of(), m.check(T0.plus(Duration.ofMinutes(2))));
        assertEquals(List.of(new Stale("dev-9", Optional.empty(), T0.plus(Duration.ofMinutes(2)))),
                m.check(T0.plus(Duration.ofMinutes(3))));
        m.forget("dev-9");
        assertEquals(List.of(), m.check(T0.plus(Duration.ofHours(3))));
    }

    @Test
    void statusAndMeasurementChangesBetweenConsecutiveAppraisals() throws Exception {
        AttestationMonitor m = monitor();
        assertEquals(List.of(), m.record(appraiseAt(T0, evidenceAt(T0))));
        assertEquals(List.of(), m.record(appraiseAt(T0.plusSeconds(60), evidenceAt(T0.plusSeconds(60)))));

        device.firmware = "firmware v2";
        Instant t2 = T0.plusSeconds(120);
        assertEquals(List.of(new StatusChanged("dev-1", TrustTier.AFFIRMING, TrustTier.CONTRAINDICATED),
                new MeasurementsChanged("dev-1", set(), set(), set("/boot/firmware.bin"))),
                m.record(appraiseAt(t2, evidenceAt(t2))));

        device.firmware = "firmware v1";
        List<Measurement> ms = new ArrayList<>(device.cycle());
        ms.remove(1); // /usr/bin/agent
        ms.add(TestDevice.file("/usr/bin/backdoor", "evil", Layer.APPLICATION));
        Instant t3 = T0.plusSeconds(180);
        device.now = t3;
        AttestationResult r3 = appraiseAt(t3, device.evidence(ms, null));
        assertEquals(List.of(new MeasurementsChanged("dev-1", set("/usr/bin/backdoor"), set("/usr/bin/agent"),
                set("/boot/firmware.bin"))), m.record(r3).stream().filter(e -> e instanceof MeasurementsChanged).toList());
        assertEquals(r3.status(), TrustTier.CONTRAINDICATED);
        Instant t4 = T0.plusSeconds(240);
        assertEquals(List.of(new StatusChanged("dev-1", TrustTier.CONTRAINDICATED, TrustTier.AFFIRMING),
                new MeasurementsChanged("dev-1", set("/usr/bin/agent"), set("/usr/bin/backdoor"), set())),
                m.record(appraiseAt(t4, evidenceAt(t4))));
    }

    @Test
    void resultsWithoutDeviceAreIgnoredAndEventsAreImmutable() {
        AttestationMonitor m = monitor();
        AttestationResult anonymous = result(null, TrustTier.CONTRAINDICATED);
        assertEquals(List.of(), m.record(anonymous));
        MeasurementsChanged e = new MeasurementsChanged("d", new TreeSet<>(List.of("a")), set(), set());
        assertThrows(UnsupportedOperationException.class, () -> e.added().add("b"));
        assertThrows(IllegalArgumentException.class, () -> m.expect("d", Duration.ZERO));
        assertThrows(IllegalStateException.class, () -> AttestationMonitor.builder().build());
    }

    @Test
    void aThrowingListenerLosesOnlyItsEvent() {
        List<Event> seen = new ArrayList<>();
        AttestationMonitor m = AttestationMonitor.builder().clock(clock).listener(e -> {
            seen.add(e);
            throw new IllegalStateException("listener bug");
        }).build();
        m.record(result("d", TrustTier.AFFIRMING));
        assertEquals(1, m.record(result("d", TrustTier.WARNING)).size());
        assertEquals(1, m.record(result("d", TrustTier.AFFIRMING)).size());
        assertEquals(2, seen.size());
    }

    @Test
    void concurrentRecordsLoseNoStatusChange() throws Exception {
        AttestationMonitor m = monitor();
        int perThread = 2000;
        DeviceStateStoreContract.race(t -> {
            for (int i = 0; i < perThread; i++) {
                m.record(result("dev-" + t, i % 2 == 0 ? TrustTier.AFFIRMING : TrustTier.WARNING));
                m.check(T0);
            }
            return true;
        });
        for (int t = 0; t < 8; t++) {
            String d = "dev-" + t;
            List<Event> mine = events.stream().filter(e -> e.device().equals(d)).toList();
            assertEquals(perThread - 1, mine.size(), d);
            for (int i = 0; i < mine.size(); i++) {
                TrustTier from = i % 2 == 0 ? TrustTier.AFFIRMING : TrustTier.WARNING;
                TrustTier to = i % 2 == 0 ? TrustTier.WARNING : TrustTier.AFFIRMING;
                assertEquals(new StatusChanged(d, from, to), mine.get(i), d + " event " + i);
            }
        }
    }

    @Test
    void scheduledChecksReportStaleDevices() throws Exception {
        BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        AttestationMonitor m = AttestationMonitor.builder().listener(queue::add).clock(clock).build();
        m.expect("dev-1", Duration.ofMinutes(1));
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();
        try {
            ScheduledFuture<?> f = m.schedule(exec, Duration.ofMillis(5));
            Thread.sleep(50);
            assertEquals(null, queue.poll());
            clock.advance(Duration.ofMinutes(1).plusSeconds(1));
            Event e = queue.poll(10, TimeUnit.SECONDS);
            assertEquals(new Stale("dev-1", Optional.empty(), T0.plus(Duration.ofMinutes(1))), e);
            Thread.sleep(50);
            assertEquals(null, queue.poll(), "reported once");
            f.cancel(false);
            assertTrue(f.isCancelled());
        } finally {
            exec.shutdownNow();
        }
    }

    private static AttestationResult result(String device, TrustTier status) {
        return new AttestationResult(status, new TrustVector(Map.of()), List.of(), Optional.ofNullable(device),
                new byte[32], T0, "test", Optional.empty());
    }

    private static TreeSet<String> set(String... names) {
        return new TreeSet<>(List.of(names));
    }
}
