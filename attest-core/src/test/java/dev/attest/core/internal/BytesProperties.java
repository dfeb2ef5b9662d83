package dev.attest.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The eight-bytes-at-a-time loops answer exactly what a byte-by-byte loop answers. */
class BytesProperties {
    @Provide
    Arbitrary<byte[]> arrays() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
    }

    /** Equal arrays, and arrays differing in one byte at any place (or in length), compared. */
    @Property(tries = 3000)
    void constantTimeEqualsIsArraysEquals(@ForAll("arrays") byte[] a, @ForAll @IntRange(max = 40) int at,
            @ForAll byte flip, @ForAll boolean sameLength) {
        byte[] b = sameLength ? a.clone() : Arrays.copyOf(a, a.length + 1);
        if (at < a.length && flip != 0) {
            b[at] ^= flip;
        }
        assertEquals(Arrays.equals(a, b), Bytes.constantTimeEquals(a, b));
        assertEquals(Arrays.equals(a, b), Bytes.constantTimeEquals(b, a));
        assertEquals(true, Bytes.constantTimeEquals(a, a.clone()));
    }

    /**
     * Text-like ranges (mostly ASCII, now and then a byte of 0x80 or above) inside an array whose
     * other bytes are all 0x80 or above: only the range decides.
     */
    @Property(tries = 3000)
    void isAsciiLooksAtTheRangeOnly(@ForAll("arrays") byte[] raw, @ForAll @IntRange(max = 9) int before,
            @ForAll @IntRange(max = 9) int after, @ForAll @IntRange(min = 1, max = 12) int oneIn) {
        byte[] range = raw.clone();
        for (int i = 0; i < range.length; i++) {
            if (Math.floorMod(range[i] * 31 + i, oneIn) != 0) {
                range[i] &= 0x7f;
            }
        }
        byte[] in = new byte[before + range.length + after];
        Arrays.fill(in, (byte) 0x80);
        System.arraycopy(range, 0, in, before, range.length);
        boolean expected = true;
        for (byte x : range) {
            expected &= x >= 0;
        }
        assertEquals(expected, Bytes.isAscii(in, before, range.length));
    }
}
