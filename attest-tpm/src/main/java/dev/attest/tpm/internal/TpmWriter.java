package dev.attest.tpm.internal;

import java.io.ByteArrayOutputStream;

/** Big-endian marshalling of TPM 2.0 types (TPM 2.0 Part 1 §18, Part 2 §5). */
public final class TpmWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    public TpmWriter u8(int v) {
        out.write(v);
        return this;
    }

    public TpmWriter u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public TpmWriter u32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public TpmWriter u64(long v) {
        u32((int) (v >>> 32));
        return u32((int) v);
    }

    public TpmWriter bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    /** TPM2B: UINT16 size then the bytes. */
    public TpmWriter tpm2b(byte[] b) {
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("TPM2B too large: " + b.length);
        }
        return u16(b.length).bytes(b);
    }

    public int size() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
