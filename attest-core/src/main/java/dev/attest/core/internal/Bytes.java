package dev.attest.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Byte-array loops taken eight bytes at a time, for the verifier's hot paths. */
public final class Bytes {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Bytes() {
    }

    /** The eight bytes at {@code in[i]}, little-endian. */
    public static long longAt(byte[] in, int i) {
        return (long) LONGS.get(in, i);
    }

    /**
     * Whether {@code a} and {@code b} are equal, in time that depends only on their lengths:
     * every byte is compared whatever the first difference (arrays of different lengths are
     * unequal). For nonces and digests.
     */
    public static boolean constantTimeEquals(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return false;
        }
        long diff = 0;
        int i = 0;
        for (; i + Long.BYTES <= a.length; i += Long.BYTES) {
            diff |= longAt(a, i) ^ longAt(b, i);
        }
        for (; i < a.length; i++) {
            diff |= a[i] ^ b[i];
        }
        return diff == 0;
    }

    /** Whether every byte of {@code in[from, from + len)} is ASCII (below 0x80). */
    public static boolean isAscii(byte[] in, int from, int len) {
        int end = from + len;
        int i = from;
        long high = 0;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            high |= longAt(in, i);
        }
        for (; i < end; i++) {
            high |= in[i];
        }
        return (high & HIGH_BITS) == 0;
    }
}
