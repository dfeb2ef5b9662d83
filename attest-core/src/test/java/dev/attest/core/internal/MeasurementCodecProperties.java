package dev.attest.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.ComponentId;
import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.core.internal.cbor.CborDecoder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The canonical encoding of any measurement is deterministic and decodes to an equal measurement. */
class MeasurementCodecProperties {
    private static final CborDecoder STRICT = CborDecoder.deterministic(1 << 20, 32, 1 << 20);

    private Arbitrary<String> names() {
        return Arbitraries.strings().withCharRange((char) 0x21, (char) 0x7e).withChars((char) 0xe9, (char) 0x2192, (char) 0x20).ofMinLength(1).ofMaxLength(30).filter(s -> !s.isBlank());
    }

    private Arbitrary<Value> values(int depth) {
        Arbitrary<Value> leaf = Arbitraries.oneOf(
                Arbitraries.longs().map(Value::of),
                Arbitraries.doubles().filter(Double::isFinite).map(Value::of),
                Arbitraries.of(true, false).map(Value::of),
                Arbitraries.strings().ofMaxLength(20).map(Value::of),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(20).map(b -> (Value) new Value.Bytes(b)));
        if (depth == 0) {
            return leaf;
        }
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, leaf),
                net.jqwik.api.Tuple.of(1, values(depth - 1).list().ofMaxSize(3).map(l -> (Value) new Value.ListValue(l))),
                net.jqwik.api.Tuple.of(1, Arbitraries.maps(names(), values(depth - 1)).ofMaxSize(3)
                        .map(m -> (Value) Value.MapValue.of(m))));
    }

    /** A collector id from a few, so that consecutive measurements share some (the decoder caches them). */
    private static String collector(Instant t) {
        return new String[] {"prop-collector", "file-digest", "timing", "t"}[(int) (t.toEpochMilli() % 4)];
    }

    @Provide
    Arbitrary<Measurement> measurements() {
        Arbitrary<ComponentId> component = Combinators.combine(names(),
                        Arbitraries.oneOf(names(), Arbitraries.of("1.0", "12.8")).injectNull(0.5))
                .as((n, v) -> v == null ? ComponentId.of(n) : ComponentId.of(n, v));
        Arbitrary<Layer> layer = Arbitraries.of(Layer.FIRMWARE, Layer.KERNEL, Layer.PROCESS, Layer.of("custom-layer"));
        Arbitrary<List<Digest>> digests = Arbitraries.subsetOf(DigestAlgorithm.values())
                .map(algs -> algs.stream().map(a -> a.hash(a.name().getBytes(java.nio.charset.StandardCharsets.UTF_8))).toList());
        Arbitrary<Map<String, Value>> vals = Arbitraries.maps(names(), values(2)).ofMaxSize(4);
        Arbitrary<Instant> time = Arbitraries.longs().between(0, 4_102_444_800_000L).map(Instant::ofEpochMilli);
        Arbitrary<Measurement.Status> status = Arbitraries.of(Measurement.Status.values());
        return Combinators.combine(component, layer, digests, vals, time, status, names().injectNull(0.3))
                .as((c, l, d, v, t, s, msg) -> {
                    Measurement.Builder b = Measurement.builder(c, l).collector(collector(t)).time(t)
                            .digests(d).values(new TreeMap<>(v));
                    if (s != Measurement.Status.OK) {
                        return b.status(s, msg == null ? "why" : msg).build();
                    }
                    if (d.isEmpty() && v.isEmpty()) {
                        b.value("present", true);
                    }
                    if (msg != null) {
                        b.message(msg);
                    }
                    return b.build();
                });
    }

    @Property(tries = 500)
    void canonicalFormRoundTripsAndIsStable(@ForAll("measurements") Measurement m) throws Exception {
        byte[] once = MeasurementCodec.canonical(m);
        Measurement back = MeasurementCodec.fromCbor(STRICT.decode(once));
        assertEquals(m, back);
        assertArrayEquals(once, MeasurementCodec.canonical(back));
    }

    @Property(tries = 500)
    void theStreamingDecoderReadsTheCanonicalForm(@ForAll("measurements") Measurement m) throws Exception {
        byte[] bytes = MeasurementCodec.canonical(m);
        Measurement back = MeasurementCodec.decodeCanonical(bytes.clone());
        assertEquals(m, back);
        assertArrayEquals(bytes, back.canonicalEncoding());
        assertArrayEquals(bytes, MeasurementCodec.canonical(back));
    }

    /**
     * Differential: after any single-byte change, insertion or removal, the streaming decoder
     * accepts exactly when the reference path does (strict tree decode, field checks, and the
     * re-encoding equal to the input), and then to the same measurement. So it accepts the
     * canonical form and nothing else, without re-encoding.
     */
    @Property(tries = 3000)
    void theStreamingDecoderAcceptsExactlyTheCanonicalForm(@ForAll("measurements") Measurement m,
            @ForAll dev.attest.testkit.ByteEdit edit,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 100_000) int where,
            @ForAll byte value) {
        byte[] good = MeasurementCodec.canonical(m);
        byte[] bad = edit.apply(good, where, value);
        Measurement reference = referenceDecode(bad);
        Measurement streamed = streamed(() -> MeasurementCodec.decodeCanonical(bad.clone()));
        assertEquals(reference, streamed, () -> "input " + java.util.HexFormat.of().formatHex(bad));
        if (streamed != null) {
            assertArrayEquals(bad, streamed.canonicalEncoding());
        }
        // The same through a decoder that has just read the unchanged measurement, so that its
        // layer, collector and version are remembered and a changed one must not be taken for it.
        MeasurementCodec.Decoder decoder = new MeasurementCodec.Decoder();
        assertEquals(m, streamed(() -> decoder.decode(good.clone())));
        Measurement cached = streamed(() -> decoder.decode(bad.clone()));
        assertEquals(reference, cached, () -> "input after the unchanged one " + java.util.HexFormat.of().formatHex(bad));
        if (cached != null) {
            assertArrayEquals(bad, cached.canonicalEncoding());
        }
        // And through a cache that remembers the unchanged measurement: a change in its time is
        // read from the cache's entry, any other must miss it; either way the same outcome.
        MeasurementCodec.Cache cache = new MeasurementCodec.Cache(16);
        streamed(() -> new MeasurementCodec.Decoder(cache).decode(good.clone()));
        assertEquals(outcome(() -> MeasurementCodec.decodeCanonical(bad.clone())),
                outcome(() -> new MeasurementCodec.Decoder(cache).decode(bad.clone())),
                () -> "input after the unchanged one was cached " + java.util.HexFormat.of().formatHex(bad));
    }

    /**
     * A measurement a cache remembers, taken again at any other time, decodes through the cache
     * to exactly what the full decoder gives, and does come from the cache when it can: when its
     * time has the same head and the usual tail follows (no message, or a short one).
     */
    @Property(tries = 1000)
    void aRememberedMeasurementAtAnotherTimeDecodesAsInFull(@ForAll("timed") java.util.function.Function<Instant, Measurement> at,
            @ForAll("times") Instant first, @ForAll("times") Instant second) throws Exception {
        MeasurementCodec.Cache cache = new MeasurementCodec.Cache(16);
        Measurement before = at.apply(first);
        assertEquals(before, new MeasurementCodec.Decoder(cache).decode(MeasurementCodec.canonical(before)));
        Measurement now = at.apply(second);
        byte[] bytes = MeasurementCodec.canonical(now);
        // Remembered when at most 12 bytes follow the time item's start (its slot is then
        // computed from bytes before the time), and found for a time with the same head byte
        // (same width; below 24 the value is in the head byte itself).
        int message = now.message().map(msg -> 1 + itemLength(msg.getBytes(java.nio.charset.StandardCharsets.UTF_8).length))
                .orElse(0);
        long t1 = first.toEpochMilli();
        long t2 = second.toEpochMilli();
        boolean sameHead = itemLength(t1) == itemLength(t2) && (t1 >= 24 || t1 == t2);
        boolean expectHit = sameHead && itemLength(t1) + 2 + message <= 12;
        assertEquals(expectHit, cache.lookUp(bytes.clone()) != null, "cache hit");
        Measurement viaCache = new MeasurementCodec.Decoder(cache).decode(bytes.clone());
        assertEquals(now, viaCache);
        assertEquals(MeasurementCodec.decodeCanonical(bytes.clone()), viaCache);
        assertArrayEquals(bytes, viaCache.canonicalEncoding());
        assertArrayEquals(bytes, MeasurementCodec.canonical(viaCache));
    }

    /** The length of a CBOR item whose head has argument {@code arg}, plus {@code arg} bytes for a string. */
    private static int itemLength(long arg) {
        return arg < 24 ? 1 : arg <= 0xff ? 2 : arg <= 0xffff ? 3 : arg <= 0xffffffffL ? 5 : 9;
    }

    private static int itemLength(int stringBytes) {
        return itemLength((long) stringBytes) + stringBytes;
    }

    @Provide
    Arbitrary<Instant> times() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 4_102_444_800_000L),
                Arbitraries.of(0L, 23L, 24L, 0xffL, 0x100L, 0xffffL, 0x10000L, 0xffffffffL, 0x100000000L,
                        4_102_444_800_000L)).map(Instant::ofEpochMilli);
    }

    /** A measurement as a function of its time: the same fields at any time. */
    @Provide
    Arbitrary<java.util.function.Function<Instant, Measurement>> timed() {
        Arbitrary<Measurement> any = measurements();
        return any.map(m -> t -> {
            Measurement.Builder b = Measurement.builder(m.component(), m.layer()).collector(m.collectorId()).time(t)
                    .digests(m.digests()).values(m.values());
            if (m.status() != Measurement.Status.OK) {
                return b.status(m.status(), m.message().orElseThrow()).build();
            }
            m.message().ifPresent(b::message);
            return b.build();
        });
    }

    /**
     * One decoder over a sequence of measurements (some changed by a byte) gives for each what
     * {@link MeasurementCodec#decodeCanonical} gives: the same measurement, or the same refusal.
     */
    @Property(tries = 300)
    void aDecoderOverManyMeasurementsGivesWhatEachDecodesToAlone(
            @ForAll @net.jqwik.api.constraints.Size(max = 12) List<@net.jqwik.api.From("measurements") Measurement> ms,
            @ForAll @net.jqwik.api.constraints.Size(max = 12) List<@net.jqwik.api.constraints.IntRange(min = 0, max = 100_000) Integer> changes) {
        MeasurementCodec.Decoder decoder = new MeasurementCodec.Decoder();
        for (int i = 0; i < ms.size(); i++) {
            byte[] in = MeasurementCodec.canonical(ms.get(i));
            if (i < changes.size() && changes.get(i) % 3 == 0) {
                in[changes.get(i) % in.length] ^= (byte) (1 + changes.get(i) % 255);
            }
            byte[] input = in;
            Object alone = outcome(() -> MeasurementCodec.decodeCanonical(input.clone()));
            Object withDecoder = outcome(() -> decoder.decode(input.clone()));
            assertEquals(alone, withDecoder, () -> "input " + java.util.HexFormat.of().formatHex(input));
        }
    }

    private interface Decode {
        Measurement decode() throws dev.attest.core.internal.cbor.CborException;
    }

    private static Measurement streamed(Decode d) {
        try {
            return d.decode();
        } catch (dev.attest.core.internal.cbor.CborException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The measurement, or the refusal as its class, reason and message. */
    private static Object outcome(Decode d) {
        try {
            return d.decode();
        } catch (dev.attest.core.internal.cbor.CborException e) {
            return List.of(e.getClass(), e.reason(), e.getMessage());
        } catch (IllegalArgumentException e) {
            return List.of(e.getClass(), e.getMessage());
        }
    }

    private static Measurement referenceDecode(byte[] in) {
        try {
            Measurement m = MeasurementCodec.fromCbor(STRICT.decode(in));
            return java.util.Arrays.equals(MeasurementCodec.canonical(m), in) ? m : null;
        } catch (dev.attest.core.internal.cbor.CborException | IllegalArgumentException e) {
            return null;
        }
    }
}
