package dev.attest.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.ComponentId;
import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.core.internal.cbor.CborException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exact outcomes of the streaming decoder ({@link MeasurementCodec#decodeCanonical}) on
 * hand-made encodings: what it accepts, and the exception and message of each refusal, which are
 * those the {@link Measurement.Builder} gives for the same fields.
 */
class MeasurementCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private static final CborDecoder STRICT = CborDecoder.deterministic(1 << 20, 32, 1 << 20);

    private static Measurement file(String path, Layer layer, String collector) {
        return Measurement.builder(ComponentId.of(path, "1.0"), layer).collector(collector).time(T0)
                .digest(DigestAlgorithm.SHA_256.hash(path.getBytes(StandardCharsets.UTF_8))).build();
    }

    private static Measurement withValues() {
        return Measurement.builder(ComponentId.of("workload/request"), Layer.TIMING).collector("timing").time(T0)
                .value("half", 1.5).value("single", 100000.0).value("double", 1.1).value("count", 1000L)
                .value("flag", true).build();
    }

    /** The canonical map of {@code m} with field {@code key} set to {@code value}, encoded. */
    private static byte[] withField(Measurement m, int key, Cbor value) {
        Cbor.MapBuilder b = Cbor.map();
        boolean set = false;
        for (Cbor.Entry e : MeasurementCodec.toCbor(m).entries()) {
            long k = ((Cbor.Int) e.key()).value();
            if (k == key) {
                b.put(key, value);
                set = true;
            } else {
                if (!set && k > key) {
                    b.put(key, value);
                    set = true;
                }
                b.put(e.key(), e.value());
            }
        }
        if (!set) {
            b.put(key, value);
        }
        byte[] out = CborEncoder.encode(b.build());
        try {
            STRICT.decode(out);
        } catch (CborException e) {
            throw new AssertionError("test input is not deterministic CBOR", e);
        }
        return out;
    }

    private static byte[] replace(byte[] in, String fromHex, String toHex) {
        String hex = HEX.formatHex(in);
        int at = hex.indexOf(fromHex);
        assertTrue(at >= 0 && at % 2 == 0 && at == hex.lastIndexOf(fromHex), fromHex + " not once in " + hex);
        return HEX.parseHex(hex.replace(fromHex, toHex));
    }

    private static String refusal(byte[] in) {
        return assertThrows(IllegalArgumentException.class, () -> MeasurementCodec.decodeCanonical(in.clone()))
                .getMessage();
    }

    private static CborException.Reason cborRefusal(byte[] in) {
        return assertThrows(CborException.class, () -> MeasurementCodec.decodeCanonical(in.clone())).reason();
    }

    @Test
    void floatsOfEachWidthAreRead() throws Exception {
        Measurement m = withValues();
        byte[] enc = MeasurementCodec.canonical(m);
        String hex = HEX.formatHex(enc);
        assertTrue(hex.contains("6468616c66" + "f93e00"), hex);
        assertTrue(hex.contains("6673696e676c65" + "fa47c35000"), hex);
        assertTrue(hex.contains("66646f75626c65" + "fb3ff199999999999a"), hex);
        Measurement back = MeasurementCodec.decodeCanonical(enc.clone());
        assertEquals(m, back);
        assertEquals(new Value.Real(1.5), back.values().get("half"));
        assertEquals(new Value.Real(100000.0), back.values().get("single"));
        assertEquals(new Value.Real(1.1), back.values().get("double"));
        assertArrayEquals(enc, back.canonicalEncoding());
    }

    @ParameterizedTest
    @CsvSource({
        // 1.5 as single and as double, 100000.0 as double, 1.1 is only a double.
        "f93e00, fa3fc00000", "f93e00, fb3ff8000000000000", "fa47c35000, fb40f86a0000000000"})
    void floatsNotInShortestFormAreRefused(String shortest, String longer) {
        byte[] enc = replace(MeasurementCodec.canonical(withValues()), shortest, longer);
        assertEquals(CborException.Reason.NOT_DETERMINISTIC, cborRefusal(enc));
    }

    @ParameterizedTest
    @CsvSource({"f97e01", "f9fe00", "f97c01", "fa7fc00000", "fb7ff8000000000000", "fa7f800000"})
    void nanAndInfinityInAnyButTheirShortestFormAreNotDeterministic(String bad) {
        byte[] enc = replace(MeasurementCodec.canonical(withValues()), "f93e00", bad);
        assertEquals(CborException.Reason.NOT_DETERMINISTIC, cborRefusal(enc));
    }

    @ParameterizedTest
    @CsvSource({"f97e00", "f97c00", "f9fc00"})
    void nanAndInfinityInShortestFormAreNotMeasurementValues(String special) {
        byte[] enc = replace(MeasurementCodec.canonical(withValues()), "f93e00", special);
        assertEquals("value must be finite", refusal(enc));
    }

    @Test
    void anInvalidCollectorIdIsRefusedAsTheBuilderRefusesIt() {
        Measurement m = file("/bin/sh", Layer.OS, "file-digest");
        String expected = assertThrows(IllegalArgumentException.class, () -> Measurement.builder(m.component(),
                m.layer()).collector("File-digest").time(T0).digests(m.digests()).build()).getMessage();
        assertEquals("collector id must match [a-z][a-z0-9._-]{0,63}: File-digest", expected);
        byte[] bad = replace(MeasurementCodec.canonical(m), HEX.formatHex("file-digest".getBytes(StandardCharsets.UTF_8)),
                HEX.formatHex("File-digest".getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, refusal(bad));
    }

    @Test
    void aControlCharacterInANameOrVersionIsRefusedAsComponentIdRefusesIt() {
        Measurement m = file("/bin/sh", Layer.OS, "file-digest");
        byte[] badName = withField(m, MeasurementCodec.K_NAME, Cbor.of("/bin/\u0001sh"));
        assertEquals("component name contains a control character", refusal(badName));
        byte[] badVersion = withField(m, MeasurementCodec.K_VERSION, Cbor.of("1.\u00850"));
        assertEquals("component version contains a control character", refusal(badVersion));
        assertEquals("component name must be 1..4096 characters", refusal(withField(m, MeasurementCodec.K_NAME,
                Cbor.of(""))));
    }

    @Test
    void anInvalidLayerIsRefused() {
        Measurement m = file("/bin/sh", Layer.OS, "file-digest");
        assertEquals("layer name must match [a-z][a-z0-9_-]{0,62}: OS",
                refusal(withField(m, MeasurementCodec.K_LAYER, Cbor.of("OS"))));
    }

    @Test
    void aDuplicateDigestAlgorithmIsRefused() {
        Measurement m = file("/bin/sh", Layer.OS, "file-digest");
        Cbor pair = Cbor.Array.of(Cbor.of(DigestAlgorithm.SHA_256.namedInformationId()), Cbor.of(new byte[32]));
        Cbor other = Cbor.Array.of(Cbor.of(DigestAlgorithm.SHA_256.namedInformationId()), Cbor.of(new byte[] {1,
            2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
            30, 31, 32}));
        assertEquals("at most one digest per algorithm",
                refusal(withField(m, MeasurementCodec.K_DIGESTS, Cbor.Array.of(pair, other))));
        assertEquals("sha-256 digest must be 32 bytes, got 31",
                refusal(withField(m, MeasurementCodec.K_DIGESTS, Cbor.Array.of(Cbor.Array.of(
                        Cbor.of(DigestAlgorithm.SHA_256.namedInformationId()), Cbor.of(new byte[31]))))));
    }

    @Test
    void aControlCharacterInAValueNameIsRefused() {
        Measurement m = withValues();
        Cbor values = Cbor.map().put("a\u0007", Cbor.of(1)).put("b", Cbor.of(2)).build();
        assertEquals("value name contains control or unencodable characters",
                refusal(withField(m, MeasurementCodec.K_VALUES, values)));
        Cbor nested = Cbor.map().put("a", Cbor.map().put("\u0000", Cbor.of(1)).build()).build();
        assertEquals("value name contains control or unencodable characters",
                refusal(withField(m, MeasurementCodec.K_VALUES, nested)));
        Cbor tooLong = Cbor.map().put("x".repeat(257), Cbor.of(1)).build();
        assertEquals("value name must be 1..256 characters", refusal(withField(m, MeasurementCodec.K_VALUES, tooLong)));
    }

    @Test
    void statusAndMessageRulesHold() {
        Measurement m = file("/bin/sh", Layer.OS, "file-digest");
        byte[] error = withField(m, MeasurementCodec.K_STATUS, Cbor.of(Measurement.Status.ERROR.ordinal()));
        assertEquals("ERROR measurement needs a message", refusal(error));
        byte[] blank = withField(Measurement.error("c", ComponentId.of("x"), Layer.OS, T0, "why"),
                MeasurementCodec.K_MESSAGE, Cbor.of("  "));
        assertEquals("ERROR measurement needs a message", refusal(blank));
        byte[] tooLong = withField(m, MeasurementCodec.K_MESSAGE, Cbor.of("m".repeat(Measurement.MAX_MESSAGE_LENGTH + 1)));
        assertEquals("message longer than 4096", refusal(tooLong));
        Measurement unsupported = Measurement.unsupported("c", ComponentId.of("x"), Layer.OS, T0, "no source");
        Measurement back = assertDoesNotThrow(MeasurementCodec.canonical(unsupported));
        assertEquals(unsupported, back);
        byte[] emptyOk = withField(unsupported, MeasurementCodec.K_STATUS, Cbor.of(0));
        assertEquals("an OK measurement needs a digest or a value", refusal(emptyOk));
        assertEquals("bad status", refusal(withField(m, MeasurementCodec.K_STATUS, Cbor.of(3))));
    }

    @Test
    void theDecodedCollectionsAreUnmodifiable() throws Exception {
        Measurement m = MeasurementCodec.decodeCanonical(MeasurementCodec.canonical(withValues()));
        assertThrows(UnsupportedOperationException.class, () -> m.values().put("x", new Value.Int(1)));
        assertThrows(UnsupportedOperationException.class, () -> m.values().remove("half"));
        Measurement f = MeasurementCodec.decodeCanonical(MeasurementCodec.canonical(file("/a", Layer.OS, "c")));
        assertThrows(UnsupportedOperationException.class, () -> f.digests().clear());
        byte[] v = f.digests().get(0).value();
        v[0] ^= 1;
        Digest expected = DigestAlgorithm.SHA_256.hash("/a".getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, f.digests().get(0));
        // The digest took the reader's copy, not a view of the input.
        byte[] in = MeasurementCodec.canonical(file("/a", Layer.OS, "c"));
        Measurement g = MeasurementCodec.decodeCanonical(in);
        java.util.Arrays.fill(in, (byte) 0);
        assertEquals(expected, g.digests().get(0));
    }

    private static Measurement assertDoesNotThrow(byte[] in) {
        try {
            return MeasurementCodec.decodeCanonical(in.clone());
        } catch (CborException e) {
            throw new AssertionError(e);
        }
    }
}
