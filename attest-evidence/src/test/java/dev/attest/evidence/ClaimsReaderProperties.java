package dev.attest.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.internal.MeasurementCodec;
import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.core.internal.cbor.CborException;
import dev.attest.testkit.ByteEdit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The streaming {@link ClaimsReader} (after {@link CborDecoder#validate}) against the tree
 * decoder it replaced ({@link TreeClaimsDecoder}, after {@link CborDecoder#decode}): on claim
 * sets with every kind of claim, changed byte by byte and claim by claim, both refuse with the
 * same reason or both accept the same claims, unknown claims and ueid. The reader is also run
 * with a measurement cache that has read the unchanged payloads (so a change in a measurement's
 * time is decoded from the cache), which must change nothing.
 */
class ClaimsReaderProperties {
    private static final int MAX = 1 << 16;
    private static final CborDecoder DECODER = CborDecoder.lenient(MAX, 16, MAX);
    /** Shared by every try: it remembers the measurements of the unchanged payloads. */
    private static final MeasurementCodec.Cache CACHE = new MeasurementCodec.Cache(256);
    /** Every claim key of the profile, log fields 1-7 among them, and keys it does not know. */
    private static final List<Integer> KEYS = List.of(1, 2, 3, 4, 5, 6, 7, 8, 10, 256, 258, 259, 260, 261, 263, 265,
            266, 267, 268, 270, 271, 273, 274, EatProfile.ATTEST_LOG, -70000, 99999);

    @Provide
    Arbitrary<byte[]> payloads() {
        return Arbitraries.integers().between(0, 12).map(n -> {
            try {
                EatClaims base = Samples.claims(n);
                EatClaims.Builder b = base.toBuilder().hwversion("r" + n).oemid(new byte[] {1, 2, 3})
                        .hwmodel(new byte[] {9}).bootcount(n).bootseed(new byte[32]).iss("i").sub("s")
                        .cti(new byte[] {5}).exp(Instant.ofEpochSecond(1_800_000_000L))
                        .nbf(Instant.ofEpochSecond(1_700_000_000L))
                        .measurementResults(new MeasurementResults("sys", List.of(new MeasurementResults.Result("a",
                                MeasurementResults.Outcome.values()[n % 4]))));
                if (n % 3 == 0) {
                    b.nonce(new byte[12]).submod("extra", EatClaims.builder().swname("x").build());
                }
                return ClaimsCodec.encode(b.build());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static Arbitrary<Cbor> items(int depth) {
        Arbitrary<Cbor> leaf = Arbitraries.oneOf(
                Arbitraries.longs().between(-300, 70_000).map(Cbor::of),
                Arbitraries.longs().map(Cbor::of),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(Cbor::of),
                Arbitraries.of("os", "app", "x", "", "firmware", "\u0007").map(Cbor::of),
                Arbitraries.doubles().map(d -> (Cbor) new Cbor.Float(d)),
                Arbitraries.of(Cbor.Simple.values()).map(s -> (Cbor) s));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Cbor> child = items(depth - 1);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, leaf),
                net.jqwik.api.Tuple.of(2, child.list().ofMaxSize(3).map(l -> (Cbor) new Cbor.Array(l))),
                net.jqwik.api.Tuple.of(1, child.map(c -> (Cbor) new Cbor.Tag(24, c))),
                net.jqwik.api.Tuple.of(1, Arbitraries.maps(Arbitraries.oneOf(Arbitraries.of(KEYS).map(Cbor::of),
                        Arbitraries.of("os", "app", "k").map(Cbor::of)), child).ofMaxSize(3).map(m -> {
                            Cbor.MapBuilder b = Cbor.map();
                            m.forEach(b::put);
                            return (Cbor) b.build();
                        })));
    }

    @Provide
    Arbitrary<Cbor> items() {
        return items(2);
    }

    /** One byte changed, inserted or deleted, or none. */
    @Property(tries = 1500)
    void byteEditsGiveTheSameOutcome(@ForAll("payloads") byte[] payload, @ForAll ByteEdit edit,
            @ForAll @IntRange(min = 0, max = MAX) int where, @ForAll byte value) {
        assertEquals(viaReader(payload, null), viaReader(payload, CACHE));
        assertSameOutcome(edit.apply(payload, where, value));
    }

    /**
     * A claim's value replaced by an arbitrary item, or an arbitrary claim added, at the top, in
     * a submodule map, or in the log map: the type and shape checks of every claim.
     */
    @Property(tries = 3000)
    void claimEditsGiveTheSameOutcome(@ForAll("payloads") byte[] payload, @ForAll("items") Cbor item,
            @ForAll @IntRange(min = 0, max = 1000) int which, @ForAll @IntRange(min = 0, max = 2) int level,
            @ForAll boolean add) throws Exception {
        Cbor.Map top = (Cbor.Map) DECODER.decode(payload);
        Cbor.Map edited;
        Cbor logKey = Cbor.of(EatProfile.ATTEST_LOG);
        Cbor subsKey = Cbor.of(EatProfile.SUBMODS);
        if (level == 1 && top.get(subsKey).isPresent()) {
            Cbor.Map subs = (Cbor.Map) top.get(subsKey).get();
            Cbor.Entry e = subs.entries().get(which % subs.size());
            edited = replace(top, subsKey, replace(subs, e.key(), edit((Cbor.Map) e.value(), item, which, add)));
        } else if (level == 2 && top.get(logKey).isPresent()) {
            edited = replace(top, logKey, edit((Cbor.Map) top.get(logKey).get(), item, which, add));
        } else {
            edited = edit(top, item, which, add);
        }
        assertSameOutcome(CborEncoder.encode(edited));
    }

    private static Cbor.Map edit(Cbor.Map m, Cbor item, int which, boolean add) {
        if (add || m.size() == 0) {
            Cbor key = Cbor.of(KEYS.get(which % KEYS.size()));
            if (m.get(key).isPresent()) {
                return replace(m, key, item);
            }
            List<Cbor.Entry> es = new ArrayList<>(m.entries());
            es.add(new Cbor.Entry(key, item));
            return new Cbor.Map(es);
        }
        return replace(m, m.entries().get(which % m.size()).key(), item);
    }

    private static Cbor.Map replace(Cbor.Map m, Cbor key, Cbor value) {
        List<Cbor.Entry> es = new ArrayList<>();
        for (Cbor.Entry e : m.entries()) {
            es.add(e.key().equals(key) ? new Cbor.Entry(key, value) : e);
        }
        return new Cbor.Map(es);
    }

    private static void assertSameOutcome(byte[] payload) {
        String reader = viaReader(payload, null);
        assertEquals(viaTree(payload), reader, () -> HexFormat.of().formatHex(payload));
        assertEquals(reader, viaReader(payload, CACHE), () -> "with the cache: " + HexFormat.of().formatHex(payload));
    }

    private static String viaTree(byte[] payload) {
        try {
            Cbor c;
            try {
                c = DECODER.decode(payload);
            } catch (CborException e) {
                return "refused: CBOR " + e.reason();
            }
            Optional<byte[]> ueid = c instanceof Cbor.Map m && m.get(EatProfile.UEID).orElse(null) instanceof Cbor.Bytes u
                    ? Optional.of(u.value()) : Optional.empty();
            return outcome(TreeClaimsDecoder.fromCbor(c), ueid);
        } catch (EvidenceException e) {
            return "refused: " + e.reason();
        }
    }

    private static String viaReader(byte[] payload, MeasurementCodec.Cache cache) {
        try {
            try {
                DECODER.validate(payload);
            } catch (CborException e) {
                return "refused: CBOR " + e.reason();
            }
            Optional<byte[]> ueid = ClaimsReader.ueid(payload);
            return outcome(ClaimsReader.read(payload, cache), ueid);
        } catch (EvidenceException e) {
            return "refused: " + e.reason();
        }
    }

    private static String outcome(EatClaims c, Optional<byte[]> ueid) {
        return "accepted: " + HexFormat.of().formatHex(ClaimsCodec.encode(c)) + " unknown " + c.unknownClaims()
                + " ueid " + ueid.map(HexFormat.of()::formatHex).orElse("-") + " " + c + " " + submodules(c);
    }

    /**
     * Each submodule's own measurements, in order, as their encodings: the reader hands the
     * log's layers over as it grouped them, the tree decoder has EatClaims group them again, and
     * the encoding above does not show those submodules.
     */
    private static String submodules(EatClaims c) {
        StringBuilder sb = new StringBuilder("{");
        c.submods().forEach((name, sub) -> {
            sb.append(name).append('=').append(sub.measurements().stream()
                    .map(m -> HexFormat.of().formatHex(m.canonicalEncoding())).toList());
            sb.append(submodules(sub)).append(';');
        });
        return sb.append('}').toString();
    }
}
