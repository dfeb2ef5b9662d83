package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogHead;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The {@link DeviceStateStore} contract, run against every implementation: compare-and-set from
 * empty and from a state, stale expectations fail, a nonce is used once per device, and under
 * contention exactly one of eight threads wins.
 */
abstract class DeviceStateStoreContract {
    static final Instant T0 = Instant.parse("2026-11-25T12:00:00.123456789Z");

    /** The store under test, empty. */
    abstract DeviceStateStore store();

    static DeviceState state(long sequence, String bootId, Instant at) {
        return new DeviceState(new LogHead(sequence,
                DigestAlgorithm.SHA_256.hash(("head " + sequence + bootId).getBytes(StandardCharsets.UTF_8)), bootId), at);
    }

    @Test
    void firstCompareAndSetFromEmpty() {
        DeviceStateStore s = store();
        assertEquals(Optional.empty(), s.get("dev-1"));
        DeviceState first = state(3, "boot-1", T0);
        assertTrue(s.compareAndSet("dev-1", Optional.empty(), first));
        assertEquals(Optional.of(first), s.get("dev-1"));
        assertEquals(T0, s.get("dev-1").orElseThrow().appraisedAt(), "nanosecond precision survives");
        // A second "first" state lost the race.
        assertFalse(s.compareAndSet("dev-1", Optional.empty(), state(4, "boot-1", T0)));
        assertEquals(Optional.of(first), s.get("dev-1"));
        assertEquals(Optional.empty(), s.get("dev-2"));
    }

    @Test
    void compareAndSetWithStaleExpectedFails() {
        DeviceStateStore s = store();
        DeviceState s1 = state(1, "boot-1", T0);
        DeviceState s2 = state(2, "boot-1", T0.plusSeconds(60));
        assertTrue(s.compareAndSet("dev-1", Optional.empty(), s1));
        assertTrue(s.compareAndSet("dev-1", Optional.of(s1), s2));
        assertFalse(s.compareAndSet("dev-1", Optional.of(s1), state(3, "boot-1", T0.plusSeconds(120))));
        // Every part of the expected state counts: head digest, boot id, appraisal time.
        assertFalse(s.compareAndSet("dev-1", Optional.of(new DeviceState(new LogHead(2, s1.head().head(), "boot-1"),
                s2.appraisedAt())), state(3, "boot-1", T0)));
        assertFalse(s.compareAndSet("dev-1", Optional.of(state(2, "boot-2", s2.appraisedAt())), state(3, "boot-1", T0)));
        assertFalse(s.compareAndSet("dev-1", Optional.of(state(2, "boot-1", s2.appraisedAt().plusNanos(1))),
                state(3, "boot-1", T0)));
        // Expecting a state for a device that has none fails too.
        assertFalse(s.compareAndSet("dev-2", Optional.of(s1), s2));
        assertEquals(Optional.of(s2), s.get("dev-1"));
        assertEquals(Optional.empty(), s.get("dev-2"));
        DeviceState rebooted = state(0, "boot-2", T0.plusSeconds(180));
        assertTrue(s.compareAndSet("dev-1", Optional.of(s2), rebooted));
        assertEquals(Optional.of(rebooted), s.get("dev-1"));
    }

    @Test
    void nonceIsUsedOncePerDevice() {
        DeviceStateStore s = store();
        byte[] n = "nonce-0123456789".getBytes(StandardCharsets.US_ASCII);
        assertTrue(s.useNonce("dev-1", n, Duration.ofMinutes(12)));
        assertFalse(s.useNonce("dev-1", n, Duration.ofMinutes(12)));
        assertFalse(s.useNonce("dev-1", n.clone(), Duration.ofMinutes(12)));
        assertTrue(s.useNonce("dev-2", n, Duration.ofMinutes(12)));
        byte[] other = n.clone();
        other[15] ^= 1;
        assertTrue(s.useNonce("dev-1", other, Duration.ofMinutes(12)));
        assertFalse(s.useNonce("dev-1", other, Duration.ofMinutes(12)));
    }

    @Test
    void underContentionExactlyOneWins() throws Exception {
        DeviceStateStore s = store();
        DeviceState base = state(1, "boot-1", T0);
        assertTrue(s.compareAndSet("dev-1", Optional.empty(), base));
        byte[] n = "nonce-contended!".getBytes(StandardCharsets.US_ASCII);
        List<Boolean> fromEmpty = race(i -> s.compareAndSet("dev-2", Optional.empty(), state(10 + i, "boot-1", T0)));
        List<Boolean> fromBase = race(i -> s.compareAndSet("dev-1", Optional.of(base), state(10 + i, "boot-1", T0)));
        List<Boolean> nonce = race(i -> s.useNonce("dev-1", n, Duration.ofMinutes(5)));
        for (List<Boolean> won : List.of(fromEmpty, fromBase, nonce)) {
            assertEquals(1, won.stream().filter(b -> b).count(), won.toString());
        }
        long winner = 10 + fromBase.indexOf(true);
        assertEquals(winner, s.get("dev-1").orElseThrow().head().sequence());
        assertEquals(10 + fromEmpty.indexOf(true), s.get("dev-2").orElseThrow().head().sequence());
    }

    interface Attempt {
        boolean run(int thread) throws Exception;
    }

    /** Runs {@code attempt} on 8 threads released at once; the results in thread order. */
    static List<Boolean> race(Attempt attempt) throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> fs = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int t = i;
                Callable<Boolean> c = () -> {
                    ready.countDown();
                    go.await();
                    return attempt.run(t);
                };
                fs.add(pool.submit(c));
            }
            ready.await();
            go.countDown();
            List<Boolean> out = new ArrayList<>();
            for (Future<Boolean> f : fs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
