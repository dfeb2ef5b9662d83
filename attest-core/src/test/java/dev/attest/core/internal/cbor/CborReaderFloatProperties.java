package dev.attest.core.internal.cbor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.internal.cbor.CborException.Reason;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link CborReader#floatingPoint()} checks the shortest form directly; these pin that check to
 * the rule it replaced: a float is accepted iff re-encoding its value with {@link CborEncoder}
 * gives back exactly its bytes, and then to the same value.
 */
class CborReaderFloatProperties {
    private static final HexFormat HEX = HexFormat.of();

    /** The old rule: decode the bits, re-encode the value, compare the bytes. Null if refused. */
    private static Double oldRule(byte[] enc) {
        double d = switch (enc[0] & 0xff) {
            case 0xf9 -> referenceHalfToDouble(((enc[1] & 0xff) << 8) | (enc[2] & 0xff));
            case 0xfa -> Float.intBitsToFloat((int) bits(enc));
            case 0xfb -> Double.longBitsToDouble(bits(enc));
            default -> throw new AssertionError();
        };
        return Arrays.equals(CborEncoder.encode(new Cbor.Float(d)), enc) ? d : null;
    }

    private static long bits(byte[] enc) {
        long v = 0;
        for (int i = 1; i < enc.length; i++) {
            v = (v << 8) | (enc[i] & 0xff);
        }
        return v;
    }

    private static byte[] encoding(int ib, long bits, int n) {
        byte[] out = new byte[n + 1];
        out[0] = (byte) ib;
        for (int i = 0; i < n; i++) {
            out[n - i] = (byte) (bits >>> (8 * i));
        }
        return out;
    }

    private static void readerAgreesWithTheOldRule(byte[] enc) {
        Double expected = oldRule(enc);
        CborReader r = new CborReader(enc, 0, enc.length, 10);
        String what = HEX.formatHex(enc);
        if (expected == null) {
            CborException e = assertThrows(CborException.class, r::floatingPoint, what);
            assertEquals(Reason.NOT_DETERMINISTIC, e.reason(), what);
            assertEquals(0L, e.offset(), what);
        } else {
            double got = assertDoesNotThrow(r, what);
            assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(got), what);
            assertTrue(r.atEnd(), what);
        }
    }

    private static double assertDoesNotThrow(CborReader r, String what) {
        try {
            return r.floatingPoint();
        } catch (CborException e) {
            throw new AssertionError(what + " refused: " + e.getMessage(), e);
        }
    }

    @Provide
    Arbitrary<Double> doubles() {
        return Arbitraries.oneOf(
                Arbitraries.doubles(),
                // Any bit pattern: NaNs with any payload and sign, subnormals, everything.
                Arbitraries.longs().map(Double::longBitsToDouble),
                Arbitraries.longs().map(b -> Double.longBitsToDouble(b | 0x7ff0000000000000L)),
                Arbitraries.longs().between(0, 0x000fffffffffffffL).map(Double::longBitsToDouble),
                // Values exact in single and in half precision, NaN payloads there too.
                Arbitraries.integers().map(b -> (double) Float.intBitsToFloat(b)),
                Arbitraries.integers().map(b -> (double) Float.intBitsToFloat(b | 0x7f800000)),
                Arbitraries.integers().between(0, 0xffff).map(CborReaderFloatProperties::referenceHalfToDouble),
                Arbitraries.of(0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
                        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
                        (double) Float.MIN_VALUE, (double) Float.MIN_NORMAL, (double) Float.MAX_VALUE,
                        0x1p-24, 0x1p-14, 65504.0, 65520.0, 0x1p-25, 0x1.8p-24));
    }

    /** Each width of every value: the encoder's own form is accepted, the others as the old rule says. */
    @Property(tries = 3000)
    void everyWidthOfAnyDoubleIsAcceptedIffTheOldRuleAcceptsIt(@ForAll("doubles") double d) {
        readerAgreesWithTheOldRule(CborEncoder.encode(new Cbor.Float(d)));
        readerAgreesWithTheOldRule(encoding(0xfb, Double.doubleToRawLongBits(d), 8));
        readerAgreesWithTheOldRule(encoding(0xfa, Float.floatToRawIntBits((float) d) & 0xffffffffL, 4));
        int half = CborEncoder.toHalfExact((float) d);
        if (half >= 0) {
            readerAgreesWithTheOldRule(encoding(0xf9, half, 2));
        }
    }

    @Property(tries = 3000)
    void anySingleEncodingIsAcceptedIffTheOldRuleAcceptsIt(@ForAll int bits) {
        readerAgreesWithTheOldRule(encoding(0xfa, bits & 0xffffffffL, 4));
        readerAgreesWithTheOldRule(encoding(0xfa, (bits | 0x7f800000) & 0xffffffffL, 4));
    }

    @Property(tries = 3000)
    void anyDoubleEncodingIsAcceptedIffTheOldRuleAcceptsIt(@ForAll long bits) {
        readerAgreesWithTheOldRule(encoding(0xfb, bits, 8));
        readerAgreesWithTheOldRule(encoding(0xfb, bits | 0x7ff0000000000000L, 8));
        // A double whose low mantissa bits are zero is a single (or a half) unless out of range.
        readerAgreesWithTheOldRule(encoding(0xfb, bits & 0xffffffffe0000000L, 8));
    }

    @Example
    void everyHalfEncodingIsAcceptedIffTheOldRuleAcceptsIt() {
        for (int i = 0; i <= 0xffff; i++) {
            int h = i;
            readerAgreesWithTheOldRule(encoding(0xf9, h, 2));
            double old = referenceHalfToDouble(h);
            assertEquals(Double.doubleToLongBits(old), Double.doubleToLongBits(CborReader.halfToDouble(h)),
                    () -> "half " + Integer.toHexString(h));
        }
    }

    @Example
    void nanIsOnlyTheHalfQuietNan() {
        readerAgreesWithTheOldRule(HEX.parseHex("f97e00"));
        for (String refused : new String[] {"f97e01", "f9fe00", "f97c01", "f97fff", "fa7fc00000", "fa7f800001",
            "fb7ff8000000000000", "fbfff8000000000000", "fb7ff0000000000001"}) {
            byte[] enc = HEX.parseHex(refused);
            assertEquals(null, oldRule(enc), refused);
            readerAgreesWithTheOldRule(enc);
        }
        assertTrue(Double.isNaN(assertDoesNotThrow(new CborReader(HEX.parseHex("f97e00"), 0, 3, 1), "f97e00")));
    }

    @Example
    void widerFormsOfShorterValuesAreRefused() {
        for (String refused : new String[] {"fa3f800000", "fb3ff0000000000000", "fa7f800000", "fb7ff0000000000000",
            "fa00000000", "fa80000000", "fb3ff8000000000000", "fb47efffffe0000000", "fa33800000"}) {
            byte[] enc = HEX.parseHex(refused);
            assertEquals(null, oldRule(enc), refused);
            readerAgreesWithTheOldRule(enc);
        }
        for (String accepted : new String[] {"f93c00", "f98000", "f90001", "fa47c35000", "fa33000000",
            "fb3ff199999999999a", "fb3690000000000000"}) {
            byte[] enc = HEX.parseHex(accepted);
            assertTrue(oldRule(enc) != null, accepted);
            readerAgreesWithTheOldRule(enc);
        }
    }

    /** The value of binary16 {@code h} by the textbook formula (IEEE 754 §3.4), the oracle of the reader's. */
    static double referenceHalfToDouble(int h) {
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        double v;
        if (exp == 0) {
            v = mant * Math.pow(2, -24);
        } else if (exp == 31) {
            v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            v = (mant + 1024) * Math.pow(2, exp - 25);
        }
        return (h & 0x8000) != 0 ? -v : v;
    }
}
