package dev.attest.core.internal.cbor;

import dev.attest.core.internal.cbor.CborException.Reason;
import java.util.Arrays;

/**
 * A streaming reader of CBOR over a byte range, for formats whose schema is known, so that no
 * {@link Cbor} tree is built. By default it reads deterministically encoded CBOR (RFC 8949
 * §4.2.1): every head read must be in its shortest form, lengths are definite and bounded by
 * the bytes left, text must be valid UTF-8, and floats must be in the shortest form that keeps
 * their value; map key order is checked by the caller with {@link #compareEncoded}. A reader
 * made by {@link #validated} reads input {@link CborDecoder#validate} accepted, whose heads may
 * be in any definite form. Every refusal is a {@link CborException} with its reason and offset.
 * Not thread-safe; one reader per input.
 */
public final class CborReader {
    private final byte[] in;
    private final int end;
    private final int maxItems;
    private final boolean deterministic;
    private int pos;
    private int items;

    /**
     * A reader of {@code in[from, to)}, refusing more than {@code maxItems} heads.
     *
     * @throws IndexOutOfBoundsException if the range is not inside {@code in}
     */
    public CborReader(byte[] in, int from, int to, int maxItems) {
        this(in, from, to, maxItems, true);
    }

    private CborReader(byte[] in, int from, int to, int maxItems, boolean deterministic) {
        java.util.Objects.checkFromToIndex(from, to, in.length);
        this.in = in;
        this.pos = from;
        this.end = to;
        this.maxItems = maxItems;
        this.deterministic = deterministic;
    }

    /**
     * A reader of {@code in[from, to)} that accepts heads in any definite form, for input that
     * {@link CborDecoder#validate} has accepted (so its limits, UTF-8 and duplicate keys are
     * already checked): it reads without a tree what the lenient decoder would have built.
     * Floats are not read by such a reader ({@link #skip} passes over them).
     */
    public static CborReader validated(byte[] in, int from, int to) {
        return new CborReader(in, from, to, Integer.MAX_VALUE, false);
    }

    /** The position of the next byte to read. */
    public int position() {
        return pos;
    }

    /** Moves to {@code position}, a position this reader reported before. */
    public void seek(int position) {
        java.util.Objects.checkIndex(position, end + 1);
        pos = position;
    }

    /**
     * Passes over the next item, whatever it is, and everything it holds, with the checks this
     * reader applies to heads and floats; the order of map keys is not checked, nor text read as
     * UTF-8. Simple values other than false, true, null and undefined are refused as the
     * decoder refuses them ({@link Reason#MALFORMED}).
     */
    public void skip() throws CborException {
        int start = pos;
        int ib = peekInitialByte();
        int major = ib >>> 5;
        if (major == 7) {
            int ai = ib & 0x1f;
            int width = ai >= 20 && ai <= 23 ? 1 : ai == 25 ? 3 : ai == 26 ? 5 : ai == 27 ? 9 : -1;
            if (width < 0) {
                throw new CborException(Reason.MALFORMED, start, "unsupported simple value " + ai);
            }
            countItem(start);
            pos++;
            if (width > 1) {
                long bits = bigEndian(start, width - 1);
                if (deterministic && !isShortestFloat(ib, bits)) {
                    throw new CborException(Reason.NOT_DETERMINISTIC, start, "float not in shortest form");
                }
            }
            return;
        }
        long arg = head(major);
        switch (major) {
            case 2, 3 -> pos += length(start, arg);
            case 4 -> {
                for (int i = count(start, arg, 1); i > 0; i--) {
                    skip();
                }
            }
            case 5 -> {
                for (int i = 2 * count(start, arg, 2); i > 0; i--) {
                    skip();
                }
            }
            case 6 -> skip();
            default -> {
                // 0 and 1: the head is the whole item.
            }
        }
    }

    /** Whether every byte of the range was read. */
    public boolean atEnd() {
        return pos == end;
    }

    /** Throws {@link Reason#TRAILING_BYTES} unless every byte of the range was read. */
    public void expectEnd() throws CborException {
        if (pos != end) {
            throw new CborException(Reason.TRAILING_BYTES, pos, (end - pos) + " bytes after the item");
        }
    }

    /** The major type of the next item, without consuming it. */
    public int peekMajorType() throws CborException {
        if (pos >= end) {
            throw new CborException(Reason.TRUNCATED, pos, "input ended");
        }
        return (in[pos] & 0xff) >>> 5;
    }

    /** The initial byte of the next item, without consuming it. */
    public int peekInitialByte() throws CborException {
        if (pos >= end) {
            throw new CborException(Reason.TRUNCATED, pos, "input ended");
        }
        return in[pos] & 0xff;
    }

    /**
     * Reads a head of major type {@code major} (0 to 6) and returns its argument (unsigned; a
     * negative result means 2^63 or more).
     *
     * @throws CborException if the next item has another major type, an indefinite length, or a
     *     non-shortest argument
     */
    public long head(int major) throws CborException {
        int start = pos;
        countItem(start);
        int ib = u8();
        if (ib >>> 5 != major) {
            pos = start;
            throw new CborException(Reason.MALFORMED, start, "expected major type " + major + ", found "
                    + (ib >>> 5));
        }
        int ai = ib & 0x1f;
        if (ai < 24) {
            return ai;
        }
        if (!deterministic && ai <= 27) {
            return bigEndian(start, 1 << (ai - 24));
        }
        long v;
        switch (ai) {
            case 24 -> {
                v = bigEndian(start, 1);
                if (v < 24) {
                    throw nonShortest(start);
                }
            }
            case 25 -> {
                v = bigEndian(start, 2);
                if (v <= 0xff) {
                    throw nonShortest(start);
                }
            }
            case 26 -> {
                v = bigEndian(start, 4);
                if (v <= 0xffff) {
                    throw nonShortest(start);
                }
            }
            case 27 -> {
                v = bigEndian(start, 8);
                if (v >= 0 && v <= 0xffffffffL) {
                    throw nonShortest(start);
                }
            }
            case 31 -> throw new CborException(Reason.INDEFINITE_LENGTH, start, "indefinite length or break");
            default -> throw new CborException(Reason.MALFORMED, start, "reserved additional information " + ai);
        }
        return v;
    }

    /** Reads an array head and returns its item count, bounded by the bytes left. */
    public int arrayHeader() throws CborException {
        int start = pos;
        return count(start, head(4), 1);
    }

    /** Reads a map head and returns its entry count, bounded by the bytes left. */
    public int mapHeader() throws CborException {
        int start = pos;
        return count(start, head(5), 2);
    }

    /** Reads an integer (major type 0 or 1) within the range of {@code long}. */
    public long integer() throws CborException {
        int start = pos;
        int major = peekMajorType();
        if (major != 0 && major != 1) {
            throw new CborException(Reason.MALFORMED, start, "expected an integer, found major type " + major);
        }
        long arg = head(major);
        if (arg < 0) {
            throw new CborException(Reason.INTEGER_OUT_OF_RANGE, start, "value beyond 2^63-1");
        }
        return major == 0 ? arg : -1 - arg;
    }

    /** Reads a byte string; the result is a fresh array. */
    public byte[] bytes() throws CborException {
        int start = pos;
        int len = length(start, head(2));
        byte[] out = Arrays.copyOfRange(in, pos, pos + len);
        pos += len;
        return out;
    }

    /** Reads a text string (strict UTF-8). */
    public String text() throws CborException {
        int start = pos;
        int len = length(start, head(3));
        int from = pos;
        pos += len;
        return Utf8.decode(in, from, len, start);
    }

    /**
     * Reads a text string if its bytes are all printable ASCII (0x20 to 0x7e), and returns it;
     * otherwise reads nothing and returns null (then {@link #text} reads it, or refuses it). A
     * string read here is valid UTF-8 and holds no control character, so a caller may skip
     * checking it for those.
     */
    public String printableAscii() throws CborException {
        int start = pos;
        int counted = items;
        int len = length(start, head(3));
        for (int i = pos; i < pos + len; i++) {
            int b = in[i];
            if (b < 0x20 || b > 0x7e) {
                pos = start;
                items = counted;
                return null;
            }
        }
        String s = new String(in, pos, len, java.nio.charset.StandardCharsets.ISO_8859_1);
        pos += len;
        return s;
    }

    /** Reads {@code true} or {@code false}. */
    public boolean bool() throws CborException {
        int start = pos;
        int ib = u8();
        if (ib == 0xf4 || ib == 0xf5) {
            countItem(start);
            return ib == 0xf5;
        }
        pos = start;
        throw new CborException(Reason.MALFORMED, start, "expected a boolean");
    }

    /**
     * Reads a float in the shortest of the half, single and double forms that keeps its value:
     * exactly the form {@link CborEncoder} writes (half if exact, else single if exact, else
     * double; any NaN as the half-precision quiet NaN {@code f97e00}), checked without encoding.
     */
    public double floatingPoint() throws CborException {
        int start = pos;
        int ib = u8();
        double d;
        boolean shortest;
        switch (ib) {
            case 0xf9 -> {
                int h = (int) bigEndian(start, 2);
                d = halfToDouble(h);
                shortest = isShortestFloat(ib, h);
            }
            case 0xfa -> {
                long bits = bigEndian(start, 4);
                d = Float.intBitsToFloat((int) bits);
                shortest = isShortestFloat(ib, bits);
            }
            case 0xfb -> {
                long bits = bigEndian(start, 8);
                d = Double.longBitsToDouble(bits);
                shortest = isShortestFloat(ib, bits);
            }
            default -> {
                pos = start;
                throw new CborException(Reason.MALFORMED, start, "expected a float");
            }
        }
        countItem(start);
        if (!shortest) {
            throw new CborException(Reason.NOT_DETERMINISTIC, start, "float not in shortest form");
        }
        return d;
    }

    /** The value of binary16 {@code h} (IEEE 754 §3.4), without {@code Math.pow}; the tree decoder uses it too. */
    static double halfToDouble(int h) {
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        double v;
        if (exp == 0) {
            v = mant * 0x1p-24;
        } else if (exp == 31) {
            v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            // Rebias the exponent into a binary32: exact, every half is a float.
            v = Float.intBitsToFloat(((exp + 112) << 23) | (mant << 13));
        }
        return (h & 0x8000) != 0 ? -v : v;
    }

    /**
     * Skips the next item without decoding it if its encoding is exactly {@code item[from, to)},
     * and says whether it did; else reads nothing. The range must be the complete encoding of
     * one string or integer item (one head) that a reader accepted before, so that the skipped
     * bytes are known to be well-formed: a decoder of many similar inputs uses this to reuse
     * what it decoded from a repeated item (e.g. the same name in every record).
     */
    public boolean skipIfNext(byte[] item, int from, int to) throws CborException {
        int n = to - from;
        if (n <= 0 || end - pos < n) {
            return false;
        }
        // A plain loop: the items are a few bytes, too short for Arrays.equals to pay off.
        for (int i = 0; i < n; i++) {
            if (in[pos + i] != item[from + i]) {
                return false;
            }
        }
        countItem(pos);
        pos += n;
        return true;
    }

    /**
     * Whether the float with initial byte {@code ib} (0xf9, 0xfa or 0xfb) and argument
     * {@code bits} is in the shortest form that keeps its value, as {@link CborEncoder} writes
     * it (§4.2.2): every half, but a NaN only as 0x7e00; a single unless its value is a half
     * (infinities included) or NaN; a double unless its value is a single (or half) or NaN.
     */
    static boolean isShortestFloat(int ib, long bits) {
        switch (ib) {
            case 0xf9:
                return (bits & 0x7c00) != 0x7c00 || (bits & 0x3ff) == 0 || bits == 0x7e00;
            case 0xfa: {
                float f = Float.intBitsToFloat((int) bits);
                return !Float.isNaN(f) && CborEncoder.toHalfExact(f) < 0;
            }
            default: {
                double d = Double.longBitsToDouble(bits);
                return !Double.isNaN(d) && (double) (float) d != d;
            }
        }
    }

    /**
     * Compares the encodings {@code in[aFrom, aTo)} and {@code in[bFrom, bTo)} bytewise,
     * unsigned: the order of map keys in the deterministic encoding (§4.2.1).
     */
    public int compareEncoded(int aFrom, int aTo, int bFrom, int bTo) {
        return Arrays.compareUnsigned(in, aFrom, aTo, in, bFrom, bTo);
    }

    private int count(int start, long arg, int minBytesPerItem) throws CborException {
        long left = end - pos;
        if (arg < 0 || arg > left / minBytesPerItem) {
            throw new CborException(Reason.TRUNCATED, start, "declares " + Long.toUnsignedString(arg)
                    + " items with " + left + " bytes left");
        }
        return (int) arg;
    }

    private int length(int start, long len) throws CborException {
        long left = end - pos;
        if (len < 0 || len > left) {
            throw new CborException(Reason.TRUNCATED, start, "declares " + Long.toUnsignedString(len)
                    + " bytes with " + left + " left");
        }
        return (int) len;
    }

    /** Counts one more item, refusing more than {@code maxItems}. */
    private void countItem(int start) throws CborException {
        if (++items > maxItems) {
            throw new CborException(Reason.TOO_MANY_ITEMS, start, "more than " + maxItems + " items");
        }
    }

    private int u8() throws CborException {
        if (pos >= end) {
            throw new CborException(Reason.TRUNCATED, pos, "input ended");
        }
        return in[pos++] & 0xff;
    }

    private long bigEndian(int start, int n) throws CborException {
        if (end - pos < n) {
            throw new CborException(Reason.TRUNCATED, start, "input ended inside an argument");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (in[pos++] & 0xff);
        }
        return v;
    }

    private static CborException nonShortest(int start) {
        return new CborException(Reason.NOT_DETERMINISTIC, start, "argument not in shortest form");
    }
}
