package dev.attest.core.internal.cbor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.core.internal.cbor.CborException.Reason;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CborCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final CborDecoder STRICT = CborDecoder.deterministic(1 << 16, 16, 10_000);
    private static final CborDecoder LENIENT = CborDecoder.lenient(1 << 16, 16, 10_000);

    private static String hex(Cbor c) {
        return HEX.formatHex(CborEncoder.encode(c));
    }

    // Examples from RFC 8949 Appendix A, in their preferred serialization.
    @ParameterizedTest
    @CsvSource({
        "0, 00", "1, 01", "10, 0a", "23, 17", "24, 1818", "25, 1819", "100, 1864", "1000, 1903e8",
        "1000000, 1a000f4240", "1000000000000, 1b000000e8d4a51000",
        "-1, 20", "-10, 29", "-100, 3863", "-1000, 3903e7",
        "9223372036854775807, 1b7fffffffffffffff", "-9223372036854775808, 3b7fffffffffffffff"})
    void integersUseTheShortestArgument(long value, String expected) throws Exception {
        assertEquals(expected, hex(Cbor.of(value)));
        assertEquals(Cbor.of(value), STRICT.decode(HEX.parseHex(expected)));
    }

    @ParameterizedTest
    @CsvSource({
        "0.0, f90000", "-0.0, f98000", "1.0, f93c00", "1.1, fb3ff199999999999a", "1.5, f93e00",
        "65504.0, f97bff", "100000.0, fa47c35000", "3.4028234663852886e+38, fa7f7fffff",
        "1.0e+300, fb7e37e43c8800759c", "5.960464477539063e-8, f90001", "0.00006103515625, f90400",
        "-4.0, f9c400", "-4.1, fbc010666666666666"})
    void floatsUseTheShortestExactForm(double value, String expected) throws Exception {
        assertEquals(expected, hex(new Cbor.Float(value)));
        assertEquals(new Cbor.Float(value), STRICT.decode(HEX.parseHex(expected)));
    }

    @Test
    void specialFloats() throws Exception {
        assertEquals("f97c00", hex(new Cbor.Float(Double.POSITIVE_INFINITY)));
        assertEquals("f9fc00", hex(new Cbor.Float(Double.NEGATIVE_INFINITY)));
        assertEquals("f97e00", hex(new Cbor.Float(Double.NaN)));
        assertEquals(new Cbor.Float(Double.NaN), STRICT.decode(HEX.parseHex("f97e00")));
    }

    @Test
    void stringsArraysTagsAndSimpleValues() throws Exception {
        assertEquals("40", hex(Cbor.of(new byte[0])));
        assertEquals("4401020304", hex(Cbor.of(new byte[] {1, 2, 3, 4})));
        assertEquals("60", hex(Cbor.of("")));
        assertEquals("6449455446", hex(Cbor.of("IETF")));
        assertEquals("62c3bc", hex(Cbor.of("\u00fc")));
        assertEquals("64f0908591", hex(Cbor.of("\ud800\udd51")));
        assertEquals("83010203", hex(Cbor.Array.of(Cbor.of(1), Cbor.of(2), Cbor.of(3))));
        assertEquals("c074323031332d30332d32315432303a30343a30305a",
                hex(new Cbor.Tag(0, Cbor.of("2013-03-21T20:04:00Z"))));
        assertEquals("f4", hex(Cbor.Simple.FALSE));
        assertEquals("f5", hex(Cbor.Simple.TRUE));
        assertEquals("f6", hex(Cbor.Simple.NULL));
        assertEquals("f7", hex(Cbor.Simple.UNDEFINED));
    }

    @Test
    void mapKeysAreSortedByTheirEncodedBytes() throws Exception {
        // RFC 8949 §4.2.1: 10, 100, -1, "z", "aa", [100], [-1], false.
        Cbor.Map m = Cbor.map()
                .put(Cbor.Simple.FALSE, Cbor.of(8)).put(Cbor.Array.of(Cbor.of(-1)), Cbor.of(7))
                .put(Cbor.Array.of(Cbor.of(100)), Cbor.of(6)).put(Cbor.of("aa"), Cbor.of(5))
                .put(Cbor.of("z"), Cbor.of(4)).put(Cbor.of(-1), Cbor.of(3)).put(Cbor.of(100), Cbor.of(2))
                .put(Cbor.of(10), Cbor.of(1)).build();
        String expected = "a8" + "0a01" + "186402" + "2003" + "617a04" + "62616105" + "81186406" + "812007" + "f408";
        assertEquals(expected, hex(m));
        Cbor.Map back = (Cbor.Map) STRICT.decode(HEX.parseHex(expected));
        assertEquals(List.of(Cbor.of(10), Cbor.of(100), Cbor.of(-1), Cbor.of("z"), Cbor.of("aa"),
                Cbor.Array.of(Cbor.of(100)), Cbor.Array.of(Cbor.of(-1)), Cbor.Simple.FALSE),
                back.entries().stream().map(Cbor.Entry::key).toList());
        assertEquals(Cbor.of(5), back.get("aa").orElseThrow());
    }

    private static Reason reject(CborDecoder d, String hex) {
        return assertThrows(CborException.class, () -> d.decode(HEX.parseHex(hex))).reason();
    }

    @Test
    void rejectsMalformedInputWithItsReason() {
        assertEquals(Reason.TRUNCATED, reject(LENIENT, ""));
        assertEquals(Reason.TRUNCATED, reject(LENIENT, "18"));
        assertEquals(Reason.TRUNCATED, reject(LENIENT, "4401"));
        assertEquals(Reason.TRUNCATED, reject(LENIENT, "8301"));
        assertEquals(Reason.TRUNCATED, reject(LENIENT, "5bffffffffffffffff"));
        assertEquals(Reason.TRUNCATED, reject(LENIENT, "9b7fffffffffffffff00"));
        assertEquals(Reason.TRUNCATED, reject(LENIENT, "bb0000000100000000"));
        assertEquals(Reason.TRAILING_BYTES, reject(LENIENT, "0000"));
        assertEquals(Reason.INDEFINITE_LENGTH, reject(LENIENT, "9f01ff"));
        assertEquals(Reason.INDEFINITE_LENGTH, reject(LENIENT, "5f4101ff"));
        assertEquals(Reason.MALFORMED, reject(LENIENT, "ff"));
        assertEquals(Reason.MALFORMED, reject(LENIENT, "1c"));
        assertEquals(Reason.MALFORMED, reject(LENIENT, "f800"));
        assertEquals(Reason.MALFORMED, reject(LENIENT, "e0"));
        assertEquals(Reason.INVALID_UTF8, reject(LENIENT, "62c328"));
        assertEquals(Reason.DUPLICATE_KEY, reject(LENIENT, "a201010102"));
        // The same key in two encodings is still a duplicate: 10 and a non-shortest 10, "os" and
        // "os" with a one-byte length, h'01' twice the same way.
        assertEquals(Reason.DUPLICATE_KEY, reject(LENIENT, "a20a01180a02"));
        assertEquals(Reason.DUPLICATE_KEY, reject(LENIENT, "a2626f730178026f7302"));
        assertEquals(Reason.DUPLICATE_KEY, reject(LENIENT, "a2290139000902"));
        assertEquals(Reason.INTEGER_OUT_OF_RANGE, reject(LENIENT, "1bffffffffffffffff"));
        assertEquals(Reason.INTEGER_OUT_OF_RANGE, reject(LENIENT, "3b8000000000000000"));
    }

    @Test
    void aKeyWrittenTwiceIsFoundWhicheverEncodingComesFirst() throws Exception {
        // Keys written as their deterministic encoding in ascending order are compared with the
        // one before only; a key written otherwise or out of order, at any place, moves the map
        // to a set holding every key before it.
        for (String hex : List.of("a20a01180a02", "a2180a010a02", "a4010002000a01180a02", "a4180a01010002000a02",
                "a40100020019000a010a02", "a3626f7300030078026f7302", "a401000200f500f501",
                "a3020001000200", "a30a00626f73000a00")) {
            byte[] in = HEX.parseHex(hex);
            assertEquals(Reason.DUPLICATE_KEY, assertThrows(CborException.class, () -> LENIENT.decode(in)).reason(), hex);
            assertEquals(Reason.DUPLICATE_KEY, assertThrows(CborException.class, () -> LENIENT.validate(in)).reason(), hex);
        }
        // The same keys without the repeat are taken, in any encoding.
        for (String hex : List.of("a20a01180b02", "a2180b010a02", "a4010002000b01180a02", "a3626f7300030078026f7402",
                "a2f500f400", "a3030002000100")) {
            byte[] in = HEX.parseHex(hex);
            LENIENT.validate(in);
            assertEquals(((Cbor.Map) LENIENT.decode(in)).size(), in[0] & 0x1f, hex);
        }
    }

    @Test
    void integerAndTextKeysAreDistinct() throws Exception {
        // {1: 0, "1": 0} is legal CBOR: the key 1 and the key "1" are different items.
        Cbor.Map m = (Cbor.Map) LENIENT.decode(HEX.parseHex("a201006131" + "00"));
        assertEquals(2, m.size());
    }

    @Test
    void enforcesSizeDepthAndItemLimits() {
        CborDecoder small = CborDecoder.lenient(4, 2, 3);
        assertEquals(Reason.TOO_LARGE, reject(small, "4401020304"));
        assertEquals(Reason.TOO_DEEP, reject(small, "81818101"));
        assertEquals(Reason.TOO_MANY_ITEMS, reject(small, "83010203"));
    }

    @Test
    void theReaderCountsEveryKindOfItemAgainstItsLimit() throws Exception {
        // [true, 1.5, 2] is four items: with room for fewer, the first item over refuses,
        // whatever its kind (before, booleans and floats were counted but never refused).
        byte[] in = HEX.parseHex("83f5f93e0002");
        CborReader two = new CborReader(in, 0, in.length, 2);
        assertEquals(3, two.arrayHeader());
        assertEquals(true, two.bool());
        assertEquals(Reason.TOO_MANY_ITEMS, assertThrows(CborException.class, two::floatingPoint).reason());
        CborReader one = new CborReader(in, 0, in.length, 1);
        one.arrayHeader();
        assertEquals(Reason.TOO_MANY_ITEMS, assertThrows(CborException.class, one::bool).reason());
        CborReader four = new CborReader(in, 0, in.length, 4);
        four.arrayHeader();
        four.bool();
        assertEquals(1.5, four.floatingPoint());
        assertEquals(2, four.integer());
        four.expectEnd();
    }

    @Test
    void keysCraftedToCollideInAHashTableStayCheap() throws Exception {
        // 50,000 keys (k << 32 | k) all have Long.hashCode 0: held as decoded items in a hash
        // set, each new key would be compared with every earlier one (1.25e9 comparisons).
        int n = 50_000;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(CborEncoder.head(5, n));
        for (long k = 1; k <= n; k++) {
            out.write(CborEncoder.head(0, k << 32 | k));
            out.write(0);
        }
        byte[] in = out.toByteArray();
        CborDecoder big = CborDecoder.lenient(in.length, 4, 2 * n + 1);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
            assertEquals(n, ((Cbor.Map) big.decode(in)).size());
            big.validate(in);
        });
        // And a duplicate among them is still found.
        byte[] dup = in.clone();
        System.arraycopy(CborEncoder.head(0, 7L << 32 | 7), 0, dup, dup.length - 10, 9);
        assertEquals(Reason.DUPLICATE_KEY, assertThrows(CborException.class, () -> big.decode(dup)).reason());
    }

    @Test
    void skipPassesOverWholeItemsWithTheReadersChecks() throws Exception {
        // {1: [true, null], 2: ""} then 7: the skip lands on the 7.
        byte[] nested = HEX.parseHex("a20182f5f6026007");
        CborReader r = new CborReader(nested, 0, nested.length, 100);
        r.skip();
        assertEquals(7, r.integer());
        r.expectEnd();
        assertEquals(Reason.NOT_DETERMINISTIC, skipReason(new CborReader(HEX.parseHex("fa3fc00000"), 0, 5, 10)));
        assertEquals(Reason.NOT_DETERMINISTIC, skipReason(new CborReader(HEX.parseHex("1817"), 0, 2, 10)));
        assertEquals(Reason.MALFORMED, skipReason(new CborReader(HEX.parseHex("f0"), 0, 1, 10)));
        assertEquals(Reason.MALFORMED, skipReason(new CborReader(HEX.parseHex("f820"), 0, 2, 10)));
        assertEquals(Reason.TRUNCATED, skipReason(new CborReader(HEX.parseHex("fb3ff8"), 0, 3, 10)));
        assertEquals(Reason.TRUNCATED, skipReason(new CborReader(HEX.parseHex("8301"), 0, 2, 10)));
        assertEquals(Reason.TOO_MANY_ITEMS, skipReason(new CborReader(nested, 0, nested.length, 4)));
        // A validated reader takes any definite head form and float width.
        byte[] lenient = HEX.parseHex("fa3fc000001817");
        CborReader v = CborReader.validated(lenient, 0, lenient.length);
        v.skip();
        assertEquals(23, v.integer());
        v.expectEnd();
    }

    private static Reason skipReason(CborReader r) {
        return assertThrows(CborException.class, r::skip).reason();
    }

    @Test
    void deterministicDecoderRejectsOtherEncodings() throws Exception {
        assertEquals(Reason.NOT_DETERMINISTIC, reject(STRICT, "1817"));
        assertEquals(Reason.NOT_DETERMINISTIC, reject(STRICT, "190017"));
        assertEquals(Reason.NOT_DETERMINISTIC, reject(STRICT, "a2616201616101"));
        assertEquals(Reason.NOT_DETERMINISTIC, reject(STRICT, "fa3fc00000"));
        assertEquals(Reason.NOT_DETERMINISTIC, reject(STRICT, "fb3ff8000000000000"));
        // NaN only as the half 0x7e00; infinity as a half; a double that is not a single stays.
        assertEquals(Reason.NOT_DETERMINISTIC, reject(STRICT, "f97e01"));
        assertEquals(Reason.NOT_DETERMINISTIC, reject(STRICT, "fa7fc00000"));
        assertEquals(Reason.NOT_DETERMINISTIC, reject(STRICT, "fa7f800000"));
        assertEquals(new Cbor.Float(Double.NaN), STRICT.decode(HEX.parseHex("f97e00")));
        assertEquals(new Cbor.Float(0.1), STRICT.decode(HEX.parseHex("fb3fb999999999999a")));
        // The same inputs are well-formed for the lenient decoder.
        assertArrayEquals(new byte[] {0x17}, CborEncoder.encode(assertDoesNotThrow("1817")));
    }

    private static Cbor assertDoesNotThrow(String hex) {
        try {
            return LENIENT.decode(HEX.parseHex(hex));
        } catch (CborException e) {
            throw new AssertionError(e);
        }
    }
}
