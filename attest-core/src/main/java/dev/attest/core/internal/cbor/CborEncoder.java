package dev.attest.core.internal.cbor;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes {@link Cbor} items in the deterministic encoding of RFC 8949 §4.2.1: preferred
 * (shortest) argument encoding, definite lengths only, map keys sorted by the bytewise
 * lexicographic order of their encodings, and floats in the shortest of the half, single and
 * double forms that keeps the value exactly (§4.2.2, NaN as the half-precision quiet NaN).
 */
public final class CborEncoder {
    private CborEncoder() {
    }

    /** The deterministic encoding of {@code item}. */
    public static byte[] encode(Cbor item) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        write(out, item);
        return out.toByteArray();
    }

    /**
     * {@code item} as its deterministic encoding in a buffer: equal for equal values however they
     * were written (10 and a non-shortest 10), and comparable, so a hash set of them stays cheap
     * even for keys crafted to collide. How duplicate map keys and header labels are found.
     */
    public static java.nio.ByteBuffer identity(Cbor item) {
        return java.nio.ByteBuffer.wrap(encode(item));
    }

    /** The encoding of a major type and argument, in its shortest form. */
    public static byte[] head(int majorType, long argument) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(9);
        writeHead(out, majorType, argument);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, Cbor item) {
        if (item instanceof Cbor.Int i) {
            long v = i.value();
            if (v >= 0) {
                writeHead(out, 0, v);
            } else {
                writeHead(out, 1, -1 - v);
            }
        } else if (item instanceof Cbor.Bytes b) {
            byte[] v = b.unsafeValue();
            writeHead(out, 2, v.length);
            out.write(v, 0, v.length);
        } else if (item instanceof Cbor.Text t) {
            byte[] v = t.value().getBytes(StandardCharsets.UTF_8);
            writeHead(out, 3, v.length);
            out.write(v, 0, v.length);
        } else if (item instanceof Cbor.Array a) {
            writeHead(out, 4, a.items().size());
            for (Cbor c : a.items()) {
                write(out, c);
            }
        } else if (item instanceof Cbor.Map m) {
            writeMap(out, m);
        } else if (item instanceof Cbor.Tag t) {
            writeHead(out, 6, t.tag());
            write(out, t.content());
        } else if (item instanceof Cbor.Simple s) {
            out.write(0xf4 + s.ordinal());
        } else if (item instanceof Cbor.Float f) {
            writeFloat(out, f.value());
        } else {
            throw new IllegalArgumentException("unknown CBOR item " + item);
        }
    }

    private static void writeMap(ByteArrayOutputStream out, Cbor.Map m) {
        List<byte[][]> pairs = new ArrayList<>(m.size());
        for (Cbor.Entry e : m.entries()) {
            pairs.add(new byte[][] {encode(e.key()), encode(e.value())});
        }
        pairs.sort((x, y) -> Arrays.compareUnsigned(x[0], y[0]));
        writeHead(out, 5, pairs.size());
        for (byte[][] p : pairs) {
            out.write(p[0], 0, p[0].length);
            out.write(p[1], 0, p[1].length);
        }
    }

    static void writeHead(ByteArrayOutputStream out, int majorType, long arg) {
        int mt = majorType << 5;
        if (arg >= 0 && arg < 24) {
            out.write(mt | (int) arg);
        } else if (arg >= 0 && arg <= 0xffL) {
            out.write(mt | 24);
            out.write((int) arg);
        } else if (arg >= 0 && arg <= 0xffffL) {
            out.write(mt | 25);
            writeBigEndian(out, arg, 2);
        } else if (arg >= 0 && arg <= 0xffffffffL) {
            out.write(mt | 26);
            writeBigEndian(out, arg, 4);
        } else {
            // Arguments are unsigned 64-bit: a negative long here stands for 2^63..2^64-1.
            out.write(mt | 27);
            writeBigEndian(out, arg, 8);
        }
    }

    private static void writeBigEndian(ByteArrayOutputStream out, long v, int n) {
        for (int i = n - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    private static void writeFloat(ByteArrayOutputStream out, double d) {
        if (Double.isNaN(d)) {
            out.write(0xf9);
            out.write(0x7e);
            out.write(0x00);
            return;
        }
        float f = (float) d;
        if ((double) f == d) {
            int half = toHalfExact(f);
            if (half >= 0) {
                out.write(0xf9);
                writeBigEndian(out, half, 2);
            } else {
                out.write(0xfa);
                writeBigEndian(out, Float.floatToIntBits(f) & 0xffffffffL, 4);
            }
        } else {
            out.write(0xfb);
            writeBigEndian(out, Double.doubleToLongBits(d), 8);
        }
    }

    /** The IEEE 754 binary16 bits of {@code f} if it converts without loss, else -1. */
    static int toHalfExact(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return mant == 0 ? sign | 0x7c00 : -1;
        }
        if (exp == 0 && mant == 0) {
            return sign;
        }
        int e = exp - 127;
        if (e >= -14 && e <= 15) {
            if ((mant & 0x1fff) != 0) {
                return -1;
            }
            return sign | ((e + 15) << 10) | (mant >>> 13);
        }
        if (e >= -24 && e < -14) {
            // Subnormal half: value = m * 2^-24 with m < 1024.
            int full = mant | 0x800000;
            int shift = 13 + (-14 - e);
            if ((full & ((1 << shift) - 1)) != 0) {
                return -1;
            }
            return sign | (full >>> shift);
        }
        return -1;
    }
}
