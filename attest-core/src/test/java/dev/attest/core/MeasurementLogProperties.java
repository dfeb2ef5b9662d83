package dev.attest.core;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Any change to a log's entries is caught by verify(). */
class MeasurementLogProperties {
    private static List<LogEntry> entries(int n, MeasurementLog[] out) throws MeasurementLogException {
        MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "b", 1000);
        for (int i = 1; i <= n; i++) {
            log.append(Fixtures.measurement(i));
        }
        out[0] = log;
        return log.entries();
    }

    @Property(tries = 200)
    void droppingAnyEntryIsDetected(@ForAll @IntRange(min = 1, max = 30) int n, @ForAll @IntRange(min = 0, max = 29) int k)
            throws Exception {
        MeasurementLog[] log = new MeasurementLog[1];
        List<LogEntry> e = new ArrayList<>(entries(n, log));
        e.remove(k % n);
        assertThrows(MeasurementLogException.class, () -> MeasurementLog.verify(e, log[0].head()));
    }

    @Property(tries = 200)
    void reorderingAnyTwoEntriesIsDetected(@ForAll @IntRange(min = 2, max = 30) int n,
            @ForAll @IntRange(min = 0, max = 29) int a, @ForAll @IntRange(min = 0, max = 29) int b) throws Exception {
        int i = a % n;
        int j = b % n;
        net.jqwik.api.Assume.that(i != j);
        MeasurementLog[] log = new MeasurementLog[1];
        List<LogEntry> e = new ArrayList<>(entries(n, log));
        LogEntry x = e.get(i);
        e.set(i, e.get(j));
        e.set(j, x);
        assertThrows(MeasurementLogException.class, () -> MeasurementLog.verify(e, log[0].head()));
    }

    @Property(tries = 200)
    void insertingAnyEntryIsDetected(@ForAll @IntRange(min = 1, max = 30) int n, @ForAll @IntRange(min = 0, max = 30) int k,
            @ForAll @IntRange(min = 100, max = 10_000) int payload) throws Exception {
        MeasurementLog[] log = new MeasurementLog[1];
        List<LogEntry> e = new ArrayList<>(entries(n, log));
        int at = k % (n + 1);
        // The most convincing insertion: correct digest, head extending the previous entry.
        Measurement m = Fixtures.measurement(payload);
        Digest md = MeasurementLog.measurementDigest(DigestAlgorithm.SHA_256, m);
        Digest prev = at == 0 ? MeasurementLog.genesis(DigestAlgorithm.SHA_256) : e.get(at - 1).head();
        e.add(at, new LogEntry(at + 1, m, md, MeasurementLog.extend(prev, md)));
        assertThrows(MeasurementLogException.class, () -> MeasurementLog.verify(e, log[0].head()));
    }

    @Property(tries = 200)
    void modifyingAnyMeasurementIsDetected(@ForAll @IntRange(min = 1, max = 30) int n, @ForAll @IntRange(min = 0, max = 29) int k,
            @ForAll @IntRange(min = 100, max = 10_000) int payload) throws Exception {
        MeasurementLog[] log = new MeasurementLog[1];
        List<LogEntry> e = new ArrayList<>(entries(n, log));
        int at = k % n;
        LogEntry old = e.get(at);
        e.set(at, new LogEntry(old.sequence(), Fixtures.measurement(payload), old.measurementDigest(), old.head()));
        assertThrows(MeasurementLogException.class, () -> MeasurementLog.verify(e, log[0].head()));
    }
}
