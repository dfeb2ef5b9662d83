package dev.attest.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.ComponentId;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.internal.cbor.CborException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@link MeasurementCodec.Cache}: bounds, displacement, and many threads sharing one. */
class MeasurementCacheTest {
    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");

    private static Measurement file(int i, Instant at) {
        String path = "/usr/lib/x86_64-linux-gnu/lib" + i + ".so";
        return Measurement.builder(ComponentId.of(path, "12.8"), Layer.OS).collector("file-digest").time(at)
                .digest(DigestAlgorithm.SHA_256.hash(path.getBytes(StandardCharsets.UTF_8))).build();
    }

    private static byte[] bytes(Measurement m) {
        return MeasurementCodec.canonical(m);
    }

    @Test
    void capacityIsAPowerOfTwoOfAtLeastTwoWithinBounds() {
        assertEquals(2, new MeasurementCodec.Cache(1).capacity());
        assertEquals(4096, new MeasurementCodec.Cache(4096).capacity());
        assertEquals(8192, new MeasurementCodec.Cache(4097).capacity());
        assertEquals(1 << 20, new MeasurementCodec.Cache(1 << 20).capacity());
        assertThrows(IllegalArgumentException.class, () -> new MeasurementCodec.Cache(0));
        assertThrows(IllegalArgumentException.class, () -> new MeasurementCodec.Cache((1 << 20) + 1));
    }

    @Test
    void holdsWhatFitsAndForgetsTheRestWithoutChangingAnyResult() throws Exception {
        MeasurementCodec.Cache cache = new MeasurementCodec.Cache(2);
        MeasurementCodec.Decoder decoder = new MeasurementCodec.Decoder(cache);
        for (int i = 0; i < 100; i++) {
            decoder.decode(bytes(file(i, T0)));
        }
        // The newest entry is there; the first ones were displaced long ago.
        assertNotNull(cache.lookUp(bytes(file(99, T0.plusSeconds(60)))));
        assertNull(cache.lookUp(bytes(file(0, T0.plusSeconds(60)))));
        int hits = 0;
        for (int i = 0; i < 100; i++) {
            Measurement later = file(i, T0.plusSeconds(60));
            if (cache.lookUp(bytes(later)) != null) {
                hits++;
            }
            assertEquals(later, new MeasurementCodec.Decoder(cache).decode(bytes(later)));
        }
        // Two entries: at most the two last measurements can still be there.
        assertTrue(hits <= 2, "hits " + hits);
    }

    @Test
    void aChangedDigestOrNameIsNotTakenForTheRememberedMeasurement() throws Exception {
        MeasurementCodec.Cache cache = new MeasurementCodec.Cache(64);
        Measurement m = file(1, T0);
        new MeasurementCodec.Decoder(cache).decode(bytes(m));
        assertNotNull(cache.lookUp(bytes(file(1, T0.plusMillis(1)))));
        byte[] otherDigest = bytes(Measurement.builder(m.component(), m.layer()).collector("file-digest").time(T0)
                .digest(DigestAlgorithm.SHA_256.hash(new byte[] {1})).build());
        assertNull(cache.lookUp(otherDigest));
        byte[] otherName = bytes(file(2, T0));
        assertNull(cache.lookUp(otherName));
    }

    @Test
    void aTimeNotInShortestFormIsRefusedAsTheFullDecoderRefusesIt() throws Exception {
        MeasurementCodec.Cache cache = new MeasurementCodec.Cache(64);
        byte[] good = bytes(file(1, T0));
        new MeasurementCodec.Decoder(cache).decode(good.clone());
        // The time item is the 9 bytes before the last two (status key and status): keep its
        // 8-byte head, give it a value that fits in 4 bytes.
        byte[] bad = good.clone();
        int timeArg = bad.length - 10;
        java.util.Arrays.fill(bad, timeArg, timeArg + 8, (byte) 0);
        bad[timeArg + 7] = 5;
        CborException full = assertThrows(CborException.class, () -> MeasurementCodec.decodeCanonical(bad.clone()));
        CborException cached = assertThrows(CborException.class,
                () -> new MeasurementCodec.Decoder(cache).decode(bad.clone()));
        assertEquals(full.reason(), cached.reason());
        assertEquals(full.getMessage(), cached.getMessage());
    }

    @Test
    void eightThreadsSharingASmallCacheGetWhatEachDecodesAlone() throws Exception {
        MeasurementCodec.Cache cache = new MeasurementCodec.Cache(16);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    MeasurementCodec.Decoder decoder = new MeasurementCodec.Decoder(cache);
                    int checked = 0;
                    for (int round = 0; round < 400; round++) {
                        // 24 components over 16 entries, so entries are displaced all the time.
                        Measurement m = file((round * 7 + thread) % 24, T0.plusMillis(round * 8L + thread));
                        byte[] in = bytes(m);
                        Measurement got = decoder.decode(in.clone());
                        assertEquals(m, got);
                        assertArrayEquals(in, got.canonicalEncoding());
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : done) {
                assertEquals(400, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
