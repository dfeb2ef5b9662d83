package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.tpm.SoftwareQuotes;
import dev.attest.tpm.TpmsAttest;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AppraiserState;
import dev.attest.verify.DeviceState;
import dev.attest.verify.DeviceStateStore;
import dev.attest.verify.Finding;
import dev.attest.verify.Severity;
import dev.attest.verify.ear.TrustClaim;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TpmAppraiser's state in a {@link DeviceStateStore} on software quotes: a new appraiser on the
 * same store goes on where the last one stopped, a stored state that does not decode is reported
 * and replaced, a lost compare-and-set is re-applied and, lost too often, reported.
 */
class TpmAppraiserStateTest {
    @TempDir
    Path dir;
    private SoftwareQuotes q;
    private List<ImaFixture.Line> lines;
    private List<Measurement> first;
    private List<Measurement> second;

    @BeforeEach
    void setUp() throws Exception {
        q = SoftwareQuotes.ecc();
        lines = ImaFixture.allKinds();
        // Two cycles of one incremental list: entries 0 and 1, then entry 2.
        List<Measurement> all = ImaFixture.collect(dir, lines.subList(0, 3));
        first = evidence(lines.subList(0, 2), List.of(ImaFixture.withValue(all.get(0), "entries", new Value.Int(2)),
                all.get(1), all.get(2)), 1_000);
        second = evidence(lines.subList(0, 3), List.of(all.get(0), all.get(3)), 2_000);
    }

    private TpmAppraiser appraiser() {
        return TpmAppraiser.builder().enroll("dev-1", q.ak).requiredPcrs(ImaFixture.PCR10).build();
    }

    private List<Measurement> evidence(List<ImaFixture.Line> extended, List<Measurement> ima, long clock)
            throws Exception {
        return evidence(extended, ima, new TpmsAttest.ClockInfo(clock, 3, 1, true));
    }

    private List<Measurement> evidence(List<ImaFixture.Line> extended, List<Measurement> ima, TpmsAttest.ClockInfo c)
            throws Exception {
        List<Measurement> ms = new ArrayList<>();
        ms.add(ImaFixture.quote(q, ImaFixture.pcr10(extended), ImaFixture.PCR10, c));
        ms.addAll(ima);
        return ms;
    }

    private static List<Finding> appraise(TpmAppraiser a, DeviceStateStore store, List<Measurement> ms) {
        return a.appraise("dev-1", TpmAppraiserTest.evidence(ms), AppraisalContext.periodic(),
                AppraiserState.of(store, "dev-1", TpmAppraiser.ID));
    }

    private static Finding bound(String actual) {
        return new Finding(TpmAppraiser.IMA_BOUND, TrustClaim.EXECUTABLES, Severity.INFO,
                "/submods/tpm/tpm-quote/pcrs/sha1:10", "", actual);
    }

    private static List<String> checks(List<Finding> fs) {
        return fs.stream().map(Finding::check).toList();
    }

    @Test
    void aNewAppraiserOnTheSameStoreGoesOn() throws Exception {
        DeviceStateStore store = DeviceStateStore.inMemory();
        assertEquals(List.of(bound("entries 0..1 bound (2 now), 0 pending")), appraise(appraiser(), store, first));
        assertTrue(store.appraiserState("dev-1", "tpm").isPresent());
        assertEquals(Optional.empty(), store.get("dev-1"), "the verifier's own state is not the appraiser's");
        // The verifier restarted: a new appraiser, the same store.
        assertEquals(List.of(bound("entries 0..2 bound (1 now), 0 pending")), appraise(appraiser(), store, second));
        // Without the store (an appraiser's own memory) the same evidence is a gap: the test can fail.
        assertEquals(List.of(TpmAppraiser.IMA_SEQUENCE), checks(appraiser().appraise("dev-1",
                TpmAppraiserTest.evidence(second), AppraisalContext.periodic())));
        // An older quote, to yet another appraiser: the clock rollback is still seen.
        List<Finding> older = appraise(appraiser(), store, evidence(lines.subList(0, 3), List.of(), 1_500));
        assertEquals(List.of(TpmAppraiser.TPM_CLOCK_ROLLBACK, TpmAppraiser.IMA_BOUND), checks(older));
        assertEquals("reset 3, restart 1, clock 2000", older.get(0).expected().replace("at or after ", ""));
    }

    @Test
    void evidenceWithoutAVerifiedQuoteNeverTouchesTheStore() throws Exception {
        DeviceStateStore store = DeviceStateStore.inMemory();
        assertEquals(List.of(TpmAppraiser.AK_NOT_ENROLLED), checks(appraiser().appraise("dev-2",
                TpmAppraiserTest.evidence(first), AppraisalContext.periodic(), AppraiserState.of(store, "dev-2", "tpm"))));
        assertEquals(List.of(TpmAppraiser.QUOTE_MISSING), checks(appraise(appraiser(), store, List.of())));
        assertEquals(Optional.empty(), store.appraiserState("dev-1", "tpm"));
        assertEquals(Optional.empty(), store.appraiserState("dev-2", "tpm"));
    }

    @Test
    void anUnreadableStateIsReportedAndReplaced() throws Exception {
        DeviceStateStore store = DeviceStateStore.inMemory();
        TpmAppraiser a = appraiser();
        appraise(a, store, first);
        byte[] good = store.appraiserState("dev-1", "tpm").orElseThrow();
        byte[] damaged = java.util.Arrays.copyOf(good, good.length - 1);
        assertTrue(store.compareAndSetAppraiserState("dev-1", "tpm", Optional.of(good), damaged));
        List<Finding> fs = appraise(a, store, second);
        assertEquals(new Finding(TpmAppraiser.STATE_UNREADABLE, TrustClaim.HARDWARE, Severity.WARNING,
                TpmAppraiser.QUOTE_PATH, "the device's stored TPM state (format 1)",
                "TRUNCATED at " + damaged.length + "; started afresh"), fs.get(0));
        // Started afresh: the incremental list has a gap, as for a device seen the first time.
        assertEquals(List.of(TpmAppraiser.STATE_UNREADABLE, TpmAppraiser.IMA_SEQUENCE), checks(fs));
        TpmDeviceState replaced = TpmDeviceState.decode(store.appraiserState("dev-1", "tpm").orElseThrow());
        assertEquals(2_000, replaced.clock().orElseThrow().clock());
        // Recovered: the list re-sent from index 0 binds, and the clock is compared again.
        List<Measurement> all = ImaFixture.collect(dir, lines.subList(0, 3));
        assertEquals(List.of(bound("entries 0..2 bound (3 now), 0 pending")),
                appraise(a, store, evidence(lines.subList(0, 3), all, 3_000)));
        assertEquals(List.of(TpmAppraiser.TPM_CLOCK_ROLLBACK, TpmAppraiser.IMA_BOUND),
                checks(appraise(a, store, evidence(lines.subList(0, 3), List.of(), 2_500))));
        // A state of another format version is unreadable too.
        byte[] now = store.appraiserState("dev-1", "tpm").orElseThrow();
        byte[] future = now.clone();
        future[0] = 2;
        assertTrue(store.compareAndSetAppraiserState("dev-1", "tpm", Optional.of(now), future));
        List<Finding> again = appraise(a, store, evidence(lines.subList(0, 3), List.of(), 4_000));
        assertEquals(List.of(TpmAppraiser.STATE_UNREADABLE), checks(again));
        assertEquals("UNSUPPORTED_TYPE at 0; started afresh", again.get(0).actual());
        assertEquals(List.of(), appraise(a, store, evidence(lines.subList(0, 3), List.of(), 5_000)));
    }

    /**
     * A real in-memory store into which another replica's write lands right after each of the
     * next {@code interfere} reads of the TPM state, so the appraisal's compare-and-set loses.
     */
    static final class Interfered implements DeviceStateStore {
        final DeviceStateStore real = DeviceStateStore.inMemory();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger interfere = new AtomicInteger();
        private long competitorClock = 1_500;

        @Override
        public Optional<byte[]> appraiserState(String device, String appraiser) {
            Optional<byte[]> now = real.appraiserState(device, appraiser);
            reads.incrementAndGet();
            if (interfere.getAndDecrement() > 0) {
                // The other replica applied a quote after a TPM Restart: same reset count, restart 0.
                try {
                    TpmDeviceState s = now.isPresent() ? TpmDeviceState.decode(now.get()) : TpmDeviceState.NONE;
                    byte[] next = new TpmDeviceState(Optional.of(new TpmsAttest.ClockInfo(competitorClock++, 3, 0, true)),
                            s.ima()).encode();
                    assertTrue(real.compareAndSetAppraiserState(device, appraiser, now, next));
                } catch (dev.attest.tpm.TpmFormatException e) {
                    throw new AssertionError(e);
                }
            }
            return now;
        }

        @Override
        public boolean compareAndSetAppraiserState(String device, String appraiser, Optional<byte[]> expected,
                byte[] next) {
            return real.compareAndSetAppraiserState(device, appraiser, expected, next);
        }

        @Override
        public Optional<DeviceState> get(String device) {
            return real.get(device);
        }

        @Override
        public boolean compareAndSet(String device, Optional<DeviceState> expected, DeviceState next) {
            return real.compareAndSet(device, expected, next);
        }

        @Override
        public boolean useNonce(String device, byte[] nonce, Duration ttl) {
            return real.useNonce(device, nonce, ttl);
        }
    }

    @Test
    void aLostSwapIsReappliedToTheNewState() throws Exception {
        Interfered store = new Interfered();
        TpmAppraiser a = appraiser();
        assertEquals(List.of(), appraise(a, store, evidence(lines, List.of(), 1_000)));
        store.reads.set(0);
        store.interfere.set(1);
        // First try: against clock 1000 restart 1, nothing to report; lost. Second: against the
        // other replica's restart 0, a TPM restart.
        List<Finding> fs = appraise(a, store, evidence(lines, List.of(), 2_000));
        assertEquals(List.of(TpmAppraiser.TPM_RESTART), checks(fs));
        assertEquals("reset 3, restart 0, clock 1500", fs.get(0).expected());
        assertEquals(2, store.reads.get());
        assertEquals(2_000, TpmDeviceState.decode(store.real.appraiserState("dev-1", "tpm").orElseThrow())
                .clock().orElseThrow().clock());
    }

    @Test
    void swapsLostTooOftenAreContention() throws Exception {
        Interfered store = new Interfered();
        TpmAppraiser a = appraiser();
        assertEquals(List.of(), appraise(a, store, evidence(lines, List.of(), 1_000)));
        store.reads.set(0);
        store.interfere.set(Integer.MAX_VALUE);
        List<Finding> fs = appraise(a, store, evidence(lines, List.of(), 2_000));
        assertEquals(TpmAppraiser.STATE_ATTEMPTS, store.reads.get());
        assertEquals(new Finding(TpmAppraiser.STATE_CONTENTION, TrustClaim.HARDWARE, Severity.CONTRAINDICATED,
                TpmAppraiser.QUOTE_PATH, "the device's TPM state updated with this quote",
                "5 updates lost to concurrent appraisals of the device"), fs.get(fs.size() - 1));
        assertEquals(List.of(TpmAppraiser.TPM_RESTART, TpmAppraiser.STATE_CONTENTION), checks(fs));
        // The other replica's state stands.
        assertEquals(1_504, TpmDeviceState.decode(store.real.appraiserState("dev-1", "tpm").orElseThrow())
                .clock().orElseThrow().clock());
    }
}
