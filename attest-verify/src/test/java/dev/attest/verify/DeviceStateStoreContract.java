package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogHead;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
 * contention exactly one of eight threads wins; the same for appraiser states, compared byte for
 * byte, with the size and id bounds.
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

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void appraiserStateCompareAndSetIsByteExact() {
        DeviceStateStore s = store();
        assertEquals(Optional.empty(), s.appraiserState("dev-1", "tpm"));
        byte[] a = bytes("state-a");
        assertTrue(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.empty(), a));
        a[0] = 'X';
        assertArrayEquals(bytes("state-a"), s.appraiserState("dev-1", "tpm").orElseThrow(), "stored a copy");
        s.appraiserState("dev-1", "tpm").orElseThrow()[0] = 'Y';
        assertArrayEquals(bytes("state-a"), s.appraiserState("dev-1", "tpm").orElseThrow(), "returned a copy");
        // A second "first" state lost; states are per device and per appraiser.
        assertFalse(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.empty(), bytes("other")));
        assertEquals(Optional.empty(), s.appraiserState("dev-2", "tpm"));
        assertEquals(Optional.empty(), s.appraiserState("dev-1", "tpm.other"));
        assertTrue(s.compareAndSetAppraiserState("dev-1", "tpm.other", Optional.empty(), new byte[0]));
        assertArrayEquals(new byte[0], s.appraiserState("dev-1", "tpm.other").orElseThrow());
        // Every byte of the expected state counts, and its length.
        assertFalse(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.of(bytes("state-b")), bytes("next")));
        assertFalse(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.of(bytes("state-")), bytes("next")));
        assertFalse(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.of(bytes("state-a\0")), bytes("next")));
        assertFalse(s.compareAndSetAppraiserState("dev-2", "tpm", Optional.of(bytes("state-a")), bytes("next")));
        assertArrayEquals(bytes("state-a"), s.appraiserState("dev-1", "tpm").orElseThrow());
        assertTrue(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.of(bytes("state-a")), bytes("state-b")));
        assertFalse(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.of(bytes("state-a")), bytes("state-c")));
        assertArrayEquals(bytes("state-b"), s.appraiserState("dev-1", "tpm").orElseThrow());
        assertEquals(Optional.empty(), s.appraiserState("dev-2", "tpm"));
        // The verifier's own state is apart.
        assertEquals(Optional.empty(), s.get("dev-1"));
    }

    @Test
    void appraiserStateIsBounded() {
        DeviceStateStore s = store();
        byte[] max = new byte[DeviceStateStore.MAX_APPRAISER_STATE_BYTES];
        Arrays.fill(max, (byte) 0xa5);
        assertTrue(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.empty(), max));
        byte[] over = new byte[DeviceStateStore.MAX_APPRAISER_STATE_BYTES + 1];
        assertThrows(IllegalArgumentException.class,
                () -> s.compareAndSetAppraiserState("dev-1", "tpm", Optional.of(max), over));
        byte[] maxPlusChange = max.clone();
        maxPlusChange[max.length - 1] = 0;
        // A full-size expected state is compared to its last byte.
        assertFalse(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.of(maxPlusChange), bytes("x")));
        assertTrue(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.of(max), maxPlusChange));
        assertArrayEquals(maxPlusChange, s.appraiserState("dev-1", "tpm").orElseThrow());
        String longest = "a".repeat(DeviceStateStore.MAX_APPRAISER_ID_LENGTH);
        assertTrue(s.compareAndSetAppraiserState("dev-1", longest, Optional.empty(), bytes("x")));
        for (String bad : List.of("", "a".repeat(DeviceStateStore.MAX_APPRAISER_ID_LENGTH + 1), "TPM", "tpm state",
                "tpm/1", "tpm\u00e9")) {
            assertThrows(IllegalArgumentException.class, () -> s.appraiserState("dev-1", bad), bad);
            assertThrows(IllegalArgumentException.class,
                    () -> s.compareAndSetAppraiserState("dev-1", bad, Optional.empty(), bytes("x")), bad);
        }
    }

    @Test
    void appraiserStateUnderContentionExactlyOneWins() throws Exception {
        DeviceStateStore s = store();
        byte[] base = bytes("base");
        assertTrue(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.empty(), base));
        List<Boolean> fromEmpty = race(i -> s.compareAndSetAppraiserState("dev-2", "tpm", Optional.empty(),
                bytes("first " + i)));
        List<Boolean> fromBase = race(i -> s.compareAndSetAppraiserState("dev-1", "tpm", Optional.of(base),
                bytes("next " + i)));
        for (List<Boolean> won : List.of(fromEmpty, fromBase)) {
            assertEquals(1, won.stream().filter(b -> b).count(), won.toString());
        }
        assertArrayEquals(bytes("next " + fromBase.indexOf(true)), s.appraiserState("dev-1", "tpm").orElseThrow());
        assertArrayEquals(bytes("first " + fromEmpty.indexOf(true)), s.appraiserState("dev-2", "tpm").orElseThrow());
    }

    @Test
    void appraiserStateThroughAnAppraiserState() {
        DeviceStateStore s = store();
        AppraiserState st = AppraiserState.of(s, "dev-1", "tpm");
        assertEquals("AppraiserState[tpm of dev-1]", st.toString());
        assertEquals(Optional.empty(), st.get());
        assertTrue(st.compareAndSet(Optional.empty(), bytes("one")));
        assertFalse(st.compareAndSet(Optional.empty(), bytes("two")));
        assertTrue(st.compareAndSet(Optional.of(bytes("one")), bytes("two")));
        assertArrayEquals(bytes("two"), s.appraiserState("dev-1", "tpm").orElseThrow());
        // Any id binds; only a store that is used checks it.
        AppraiserState odd = AppraiserState.of(s, "dev-1", "Not An Id");
        assertThrows(IllegalArgumentException.class, odd::get);
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
