package dev.attest.core.internal.cbor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class CborProperties {
    private static final CborDecoder STRICT = CborDecoder.deterministic(1 << 20, 64, 1 << 20);
    private static final CborDecoder LENIENT = CborDecoder.lenient(1 << 20, 64, 1 << 20);

    @Provide
    Arbitrary<Cbor> items() {
        return item(3);
    }

    private Arbitrary<Cbor> item(int depth) {
        Arbitrary<Cbor> leaf = Arbitraries.oneOf(
                Arbitraries.longs().map(Cbor::of),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(Cbor::of),
                Arbitraries.strings().ofMaxLength(20).map(Cbor::of),
                Arbitraries.doubles().map(d -> (Cbor) new Cbor.Float(d)),
                Arbitraries.floats().map(f -> (Cbor) new Cbor.Float(f)),
                Arbitraries.of(Cbor.Simple.values()).map(s -> (Cbor) s));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Cbor> child = item(depth - 1);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, leaf),
                net.jqwik.api.Tuple.of(1, child.list().ofMaxSize(4).map(l -> (Cbor) new Cbor.Array(l))),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, Long.MAX_VALUE)
                        .flatMap(t -> child.map(c -> (Cbor) new Cbor.Tag(t, c)))),
                net.jqwik.api.Tuple.of(1, Arbitraries.maps(Arbitraries.oneOf(
                        Arbitraries.longs().map(Cbor::of), Arbitraries.strings().ofMaxLength(6).map(Cbor::of)), child)
                        .ofMaxSize(4).map(m -> {
                            Cbor.MapBuilder b = Cbor.map();
                            m.forEach(b::put);
                            return (Cbor) b.build();
                        })));
    }

    @Property(tries = 500)
    void deterministicEncodingRoundTripsAndIsStable(@ForAll("items") Cbor item) throws Exception {
        byte[] once = CborEncoder.encode(item);
        Cbor back = STRICT.decode(once);
        assertArrayEquals(once, CborEncoder.encode(back));
    }

    @Property(tries = 2000)
    void randomBytesYieldAnItemOrCborException(@ForAll @Size(max = 64) byte[] bytes) {
        try {
            LENIENT.decode(bytes);
        } catch (CborException expected) {
            assertNotNull(expected.reason());
        }
    }

    /**
     * {@link CborDecoder#validate} accepts exactly what {@link CborDecoder#decode} accepts, and
     * refuses with the same reason at the same offset: on random bytes, and on encodings of
     * random items with one byte changed, inserted or deleted, under tight and loose limits.
     */
    @Property(tries = 3000)
    void validateAgreesWithDecode(@ForAll("items") Cbor item, @ForAll @Size(max = 24) byte[] noise,
            @ForAll int where, @ForAll byte value, @ForAll dev.attest.testkit.ByteEdit edit, @ForAll boolean random,
            @ForAll boolean tight) {
        byte[] bytes = random ? noise : edit.apply(CborEncoder.encode(item), where, value);
        for (CborDecoder d : tight ? List.of(CborDecoder.lenient(64, 2, 12), CborDecoder.deterministic(64, 2, 12))
                : List.of(LENIENT, STRICT)) {
            CborException decoded = null;
            CborException validated = null;
            try {
                d.decode(bytes);
            } catch (CborException e) {
                decoded = e;
            }
            try {
                d.validate(bytes);
            } catch (CborException e) {
                validated = e;
            }
            assertEquals(decoded == null ? null : decoded.reason() + "@" + decoded.offset(),
                    validated == null ? null : validated.reason() + "@" + validated.offset());
        }
    }

    @Property(tries = 500)
    void anyTruncationIsRejected(@ForAll("items") Cbor item) {
        byte[] full = CborEncoder.encode(item);
        List<Integer> accepted = new ArrayList<>();
        for (int len = 0; len < full.length; len++) {
            try {
                LENIENT.decode(java.util.Arrays.copyOf(full, len));
                accepted.add(len);
            } catch (CborException expected) {
                // every strict prefix of one item is incomplete
            }
        }
        assertEquals(List.of(), accepted);
    }
}
