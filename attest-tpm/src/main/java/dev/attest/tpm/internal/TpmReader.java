package dev.attest.tpm.internal;

import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;
import java.util.Arrays;

/**
 * Bounded reader over TPM marshalled bytes (TPM 2.0 Part 1 §18: big-endian integers,
 * TPM2B = UINT16 size + bytes). Little-endian accessors serve the TCG event log. Every read
 * checks the remaining length first, so hostile sizes cannot allocate more than the input holds.
 */
public final class TpmReader {
    private final byte[] buf;
    private final int end;
    private final long base;
    private int pos;

    private TpmReader(byte[] buf, int from, int end, long base) {
        this.buf = buf;
        this.pos = from;
        this.end = end;
        this.base = base;
    }

    /** @return a reader over the whole array (not copied: the caller must not mutate it) */
    public static TpmReader of(byte[] b) {
        return new TpmReader(b, 0, b.length, 0);
    }

    public int position() {
        return pos;
    }

    /** @return offset of the current position relative to the outermost input */
    public long offset() {
        return base + pos;
    }

    public int remaining() {
        return end - pos;
    }

    private void need(int n, String what) throws TpmFormatException {
        if (n < 0 || n > end - pos) {
            throw new TpmFormatException(Reason.TRUNCATED, offset(), what + ": need " + n + " bytes, have " + (end - pos));
        }
    }

    public int u8(String what) throws TpmFormatException {
        need(1, what);
        return buf[pos++] & 0xFF;
    }

    public int u16(String what) throws TpmFormatException {
        need(2, what);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    public int u32(String what) throws TpmFormatException {
        need(4, what);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    public long u64(String what) throws TpmFormatException {
        long hi = u32(what) & 0xFFFFFFFFL;
        long lo = u32(what) & 0xFFFFFFFFL;
        return (hi << 32) | lo;
    }

    public int u16le(String what) throws TpmFormatException {
        need(2, what);
        int v = (buf[pos] & 0xFF) | ((buf[pos + 1] & 0xFF) << 8);
        pos += 2;
        return v;
    }

    public int u32le(String what) throws TpmFormatException {
        need(4, what);
        int v = (buf[pos] & 0xFF) | ((buf[pos + 1] & 0xFF) << 8) | ((buf[pos + 2] & 0xFF) << 16) | ((buf[pos + 3] & 0xFF) << 24);
        pos += 4;
        return v;
    }

    public long u64le(String what) throws TpmFormatException {
        long lo = u32le(what) & 0xFFFFFFFFL;
        long hi = u32le(what) & 0xFFFFFFFFL;
        return (hi << 32) | lo;
    }

    public byte[] bytes(int n, String what) throws TpmFormatException {
        need(n, what);
        byte[] r = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return r;
    }

    /** Reads a TPM2B: UINT16 size (at most {@code max}) followed by that many bytes. */
    public byte[] tpm2b(int max, String what) throws TpmFormatException {
        long at = offset();
        int n = u16(what + ".size");
        if (n > max) {
            throw new TpmFormatException(Reason.SIZE_LIMIT, at, what + ": size " + n + " exceeds " + max);
        }
        return bytes(n, what);
    }

    /** @return a reader over the next {@code n} bytes, advancing this reader past them */
    public TpmReader sub(int n, String what) throws TpmFormatException {
        need(n, what);
        TpmReader r = new TpmReader(buf, pos, pos + n, base);
        pos += n;
        return r;
    }

    /** @return the bytes from {@code from} (an earlier position) to the current position */
    public byte[] slice(int from) {
        return Arrays.copyOfRange(buf, from, pos);
    }

    /** Rejects trailing bytes. */
    public void end(String what) throws TpmFormatException {
        if (pos != end) {
            throw new TpmFormatException(Reason.TRAILING_BYTES, offset(), what + ": " + (end - pos) + " trailing bytes");
        }
    }
}
