package dev.attest.core.internal.cbor;

import dev.attest.core.internal.cbor.CborException.Reason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A strict, bounded CBOR decoder (RFC 8949). It reads exactly one item and rejects: trailing
 * bytes, input over {@code maxBytes}, nesting deeper than {@code maxDepth}, more than
 * {@code maxItems} items, indefinite lengths, reserved encodings, invalid UTF-8, duplicate map
 * keys, and integers outside {@code long}. With {@code requireDeterministic} it also rejects
 * any encoding that is not the deterministic one of §4.2.1 (non-shortest arguments, unsorted
 * map keys, non-shortest floats). No length field can make it allocate more than the input
 * holds.
 */
public final class CborDecoder {
    private final int maxBytes;
    private final int maxDepth;
    private final int maxItems;
    private final boolean requireDeterministic;

    private CborDecoder(int maxBytes, int maxDepth, int maxItems, boolean requireDeterministic) {
        if (maxBytes < 1 || maxDepth < 1 || maxItems < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxBytes = maxBytes;
        this.maxDepth = maxDepth;
        this.maxItems = maxItems;
        this.requireDeterministic = requireDeterministic;
    }

    /** A decoder with the given limits that accepts any well-formed definite-length encoding. */
    public static CborDecoder lenient(int maxBytes, int maxDepth, int maxItems) {
        return new CborDecoder(maxBytes, maxDepth, maxItems, false);
    }

    /** A decoder with the given limits that accepts only the deterministic encoding. */
    public static CborDecoder deterministic(int maxBytes, int maxDepth, int maxItems) {
        return new CborDecoder(maxBytes, maxDepth, maxItems, true);
    }

    /** Decodes exactly one item spanning all of {@code input}. */
    public Cbor decode(byte[] input) throws CborException {
        return decode(input, true);
    }

    /**
     * Checks that {@code input} is exactly one item {@link #decode} would accept, by the same
     * rules and with the same exceptions, without building it (a map key is built only when it
     * is not written in its deterministic encoding, to find duplicates): for a caller that reads
     * the item afterwards with a {@link CborReader}.
     */
    public void validate(byte[] input) throws CborException {
        decode(input, false);
    }

    private Cbor decode(byte[] input, boolean build) throws CborException {
        if (input.length > maxBytes) {
            throw new CborException(Reason.TOO_LARGE, maxBytes,
                    input.length + " bytes, limit " + maxBytes);
        }
        State s = new State(input);
        s.build = build;
        Cbor item = read(s, 0);
        if (s.pos != input.length) {
            throw new CborException(Reason.TRAILING_BYTES, s.pos,
                    (input.length - s.pos) + " bytes after the item");
        }
        return item;
    }

    /** The integers 0..23 and -1..-24 (one-byte heads), shared: they are most of any tree's integers. */
    private static final int SMALL = 24;
    private static final Cbor.Int[] SMALL_INTS = new Cbor.Int[2 * SMALL];

    static {
        for (int i = 0; i < SMALL; i++) {
            SMALL_INTS[i] = new Cbor.Int(i);
            SMALL_INTS[SMALL + i] = new Cbor.Int(-1 - i);
        }
    }

    private static final class State {
        final byte[] in;
        int pos;
        int items;
        /** Whether items are built; when not, {@link #read} returns null for all but simple values. */
        boolean build;

        State(byte[] in) {
            this.in = in;
        }
    }

    private Cbor read(State s, int depth) throws CborException {
        if (depth > maxDepth) {
            throw new CborException(Reason.TOO_DEEP, s.pos, "nesting deeper than " + maxDepth);
        }
        if (++s.items > maxItems) {
            throw new CborException(Reason.TOO_MANY_ITEMS, s.pos, "more than " + maxItems + " items");
        }
        int start = s.pos;
        int ib = u8(s);
        int major = ib >>> 5;
        int ai = ib & 0x1f;
        if (major == 7) {
            return readSimple(s, start, ai);
        }
        if (ai == 31) {
            throw new CborException(major == 0 || major == 1 || major == 6 ? Reason.MALFORMED
                    : Reason.INDEFINITE_LENGTH, start, "indefinite length or break");
        }
        long arg = argument(s, start, ai);
        switch (major) {
            case 0, 1:
                if (!s.build) {
                    nonNegative(arg, start);
                    return null;
                }
                return readInt(major, arg, start);
            case 2:
                if (!s.build) {
                    skip(s, start, arg);
                    return null;
                }
                return Cbor.Bytes.adopt(take(s, start, arg));
            case 3:
                if (!s.build) {
                    int from = s.pos;
                    skip(s, start, arg);
                    Utf8.check(s.in, from, s.pos - from, start);
                    return null;
                }
                return new Cbor.Text(utf8(take(s, start, arg), start));
            case 4: {
                int n = count(s, start, arg, 1);
                Cbor[] items = s.build ? new Cbor[n] : null;
                for (int i = 0; i < n; i++) {
                    Cbor item = read(s, depth + 1);
                    if (items != null) {
                        items[i] = item;
                    }
                }
                // An immutable list, which the record keeps as it is (List.copyOf of one is itself).
                return items == null ? null : new Cbor.Array(List.of(items));
            }
            case 5:
                return readMap(s, start, count(s, start, arg, 2), depth);
            case 6: {
                long tag = nonNegative(arg, start);
                Cbor content = read(s, depth + 1);
                return s.build ? new Cbor.Tag(tag, content) : null;
            }
            default:
                throw new AssertionError(major);
        }
    }

    /**
     * Whether the key item starting at {@code in[from]} is written as its
     * {@link CborEncoder#identity}: an integer, byte or text string with a shortest head, which
     * nearly every key is.
     */
    private static boolean isIdentity(byte[] in, int from) {
        int ib = in[from] & 0xff;
        int major = ib >>> 5;
        int ai = ib & 0x1f;
        if (major > 3 || ai > 27) {
            return false;
        }
        if (ai < 24) {
            return true;
        }
        int width = 1 << (ai - 24);
        long arg = 0;
        for (int i = 1; i <= width; i++) {
            arg = arg << 8 | (in[from + i] & 0xff);
        }
        return arg >= 0 && 1 + width == headLength(arg);
    }

    /** The key item at {@code in[from]}, read before: built again, for an identity or a message. */
    private Cbor key(State s, int from) throws CborException {
        State k = new State(s.in);
        k.pos = from;
        k.build = true;
        return read(k, 0);
    }

    /** The length of the shortest head with argument {@code arg} (§4.2.1). */
    private static int headLength(long arg) {
        return arg < 24 ? 1 : arg <= 0xff ? 2 : arg <= 0xffff ? 3 : arg <= 0xffffffffL ? 5 : 9;
    }

    private static Cbor readInt(int major, long arg, int start) throws CborException {
        if (arg >= 0 && arg < SMALL) {
            return SMALL_INTS[major == 0 ? (int) arg : SMALL + (int) arg];
        }
        long v = nonNegative(arg, start);
        return new Cbor.Int(major == 0 ? v : -1 - v);
    }

    private Cbor readMap(State s, int start, int n, int depth) throws CborException {
        boolean build = s.build;
        Cbor.Entry[] entries = build ? new Cbor.Entry[n] : null;
        // Keys are compared by value, not by how they were written: 10 and a non-shortest 10
        // (0x0a, 0x180a) are the same key, and taking one of them silently is how a claim gets
        // smuggled past a peer that takes the other.
        // Keys written as their deterministic encoding, each bytewise above the one before (what
        // every deterministic encoder writes), are distinct by that alone: they are only
        // compared with their predecessor, in the input, and not built when not building.
        // From the first key that is not, every key is held as its one deterministic encoding,
        // a ByteBuffer, in a set: comparable, so keys crafted to collide in a hash table cost
        // log n each, not n.
        int[] spans = new int[2 * n];
        Set<ByteBuffer> keys = null;
        for (int i = 0; i < n; i++) {
            int keyStart = s.pos;
            Cbor key = read(s, depth + 1);
            int keyEnd = s.pos;
            boolean inPlace = isIdentity(s.in, keyStart);
            if (keys == null && inPlace && (i == 0
                    || Arrays.compareUnsigned(s.in, spans[2 * i - 2], spans[2 * i - 1], s.in, keyStart, keyEnd) < 0)) {
                spans[2 * i] = keyStart;
                spans[2 * i + 1] = keyEnd;
            } else {
                if (keys == null) {
                    keys = new HashSet<>(n * 2);
                    for (int j = 0; j < i; j++) {
                        keys.add(ByteBuffer.wrap(s.in, spans[2 * j], spans[2 * j + 1] - spans[2 * j]).slice());
                    }
                }
                ByteBuffer id = inPlace ? ByteBuffer.wrap(s.in, keyStart, keyEnd - keyStart).slice()
                        : CborEncoder.identity(key != null ? key : key(s, keyStart));
                if (!keys.add(id)) {
                    throw new CborException(Reason.DUPLICATE_KEY, keyStart,
                            "duplicate key " + (key != null ? key : key(s, keyStart)));
                }
                spans[2 * i] = keyStart;
                spans[2 * i + 1] = keyEnd;
            }
            // Keys taken on the ascending path are in order already.
            if (requireDeterministic && keys != null && i > 0
                    && Arrays.compareUnsigned(s.in, spans[2 * i - 2], spans[2 * i - 1], s.in, keyStart, keyEnd) >= 0) {
                throw new CborException(Reason.NOT_DETERMINISTIC, keyStart, "map keys not in bytewise order");
            }
            Cbor value = read(s, depth + 1);
            if (build) {
                entries[i] = new Cbor.Entry(key, value);
            }
        }
        return build ? new Cbor.Map(List.of(entries)) : null;
    }

    private Cbor readSimple(State s, int start, int ai) throws CborException {
        switch (ai) {
            case 20:
                return Cbor.Simple.FALSE;
            case 21:
                return Cbor.Simple.TRUE;
            case 22:
                return Cbor.Simple.NULL;
            case 23:
                return Cbor.Simple.UNDEFINED;
            case 25: {
                long h = bigEndian(s, start, 2);
                return checkFloat(CborReader.halfToDouble((int) h), 0xf9, h, start);
            }
            case 26: {
                long bits = bigEndian(s, start, 4);
                return checkFloat(Float.intBitsToFloat((int) bits), 0xfa, bits, start);
            }
            case 27: {
                long bits = bigEndian(s, start, 8);
                return checkFloat(Double.longBitsToDouble(bits), 0xfb, bits, start);
            }
            default:
                // 0..19 unassigned, 24 (one-byte simple), 28..30 reserved, 31 break: none is
                // meaningful in this SDK's data.
                throw new CborException(Reason.MALFORMED, start, "unsupported simple value " + ai);
        }
    }

    private Cbor checkFloat(double d, int ib, long bits, int start) throws CborException {
        if (requireDeterministic && !CborReader.isShortestFloat(ib, bits)) {
            throw new CborException(Reason.NOT_DETERMINISTIC, start, "float not in shortest form");
        }
        return new Cbor.Float(d);
    }

    private long argument(State s, int start, int ai) throws CborException {
        long v;
        if (ai < 24) {
            return ai;
        } else if (ai == 24) {
            v = bigEndian(s, start, 1);
            if (requireDeterministic && v < 24) {
                throw nonShortest(start);
            }
        } else if (ai == 25) {
            v = bigEndian(s, start, 2);
            if (requireDeterministic && v <= 0xff) {
                throw nonShortest(start);
            }
        } else if (ai == 26) {
            v = bigEndian(s, start, 4);
            if (requireDeterministic && v <= 0xffff) {
                throw nonShortest(start);
            }
        } else if (ai == 27) {
            v = bigEndian(s, start, 8);
            if (requireDeterministic && v >= 0 && v <= 0xffffffffL) {
                throw nonShortest(start);
            }
        } else {
            throw new CborException(Reason.MALFORMED, start, "reserved additional information " + ai);
        }
        return v;
    }

    private static CborException nonShortest(int start) {
        return new CborException(Reason.NOT_DETERMINISTIC, start, "argument not in shortest form");
    }

    private static long nonNegative(long arg, int start) throws CborException {
        if (arg < 0) {
            throw new CborException(Reason.INTEGER_OUT_OF_RANGE, start, "value beyond 2^63-1");
        }
        return arg;
    }

    private static int count(State s, int start, long arg, int minBytesPerItem) throws CborException {
        // Every item takes at least one byte: a count larger than what is left cannot be honest.
        long left = s.in.length - s.pos;
        if (arg < 0 || arg > left / minBytesPerItem) {
            throw new CborException(Reason.TRUNCATED, start, "declares " + Long.toUnsignedString(arg)
                    + " items with " + left + " bytes left");
        }
        return (int) arg;
    }

    private static byte[] take(State s, int start, long len) throws CborException {
        int from = s.pos;
        skip(s, start, len);
        return Arrays.copyOfRange(s.in, from, s.pos);
    }

    private static void skip(State s, int start, long len) throws CborException {
        long left = s.in.length - s.pos;
        if (len < 0 || len > left) {
            throw new CborException(Reason.TRUNCATED, start, "declares " + Long.toUnsignedString(len)
                    + " bytes with " + left + " left");
        }
        s.pos += (int) len;
    }

    private static String utf8(byte[] b, int start) throws CborException {
        return Utf8.decode(b, 0, b.length, start);
    }

    private static int u8(State s) throws CborException {
        if (s.pos >= s.in.length) {
            throw new CborException(Reason.TRUNCATED, s.pos, "input ended");
        }
        return s.in[s.pos++] & 0xff;
    }

    private static long bigEndian(State s, int start, int n) throws CborException {
        if (s.in.length - s.pos < n) {
            throw new CborException(Reason.TRUNCATED, start, "input ended inside an argument");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (s.in[s.pos++] & 0xff);
        }
        return v;
    }
}
