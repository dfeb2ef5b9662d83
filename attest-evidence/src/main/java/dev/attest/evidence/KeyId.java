package dev.attest.evidence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A COSE key identifier ({@code kid}, RFC 9052 §3.1): opaque bytes, 1 to 64 long. A key id only
 * selects a key; it is never a reason to trust one.
 */
public final class KeyId {
    /** The longest key id accepted. */
    public static final int MAX_LENGTH = 64;
    private final byte[] value;

    private KeyId(byte[] value) {
        if (value.length == 0 || value.length > MAX_LENGTH) {
            throw new IllegalArgumentException("key id must be 1.." + MAX_LENGTH + " bytes");
        }
        this.value = value;
    }

    /**
     * A key id of the given bytes (copied).
     *
     * @param value the key id bytes
     * @return the key id
     */
    public static KeyId of(byte[] value) {
        return new KeyId(value.clone());
    }

    /**
     * A key id of the UTF-8 bytes of {@code text}.
     *
     * @param text the key id text
     * @return the key id
     */
    public static KeyId of(String text) {
        return new KeyId(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The bytes (a copy).
     *
     * @return a fresh copy of the bytes
     */
    public byte[] value() {
        return value.clone();
    }

    /**
     * Constant-time comparison with another key id.
     *
     * @param other the key id to compare with
     * @return true if the bytes are equal
     */
    public boolean matches(KeyId other) {
        return MessageDigest.isEqual(value, other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyId k && Arrays.equals(value, k.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    /** The key id as text where it is printable ASCII, otherwise as {@code h'hex'}. */
    @Override
    public String toString() {
        for (byte b : value) {
            if (b < 0x20 || b > 0x7e) {
                return "h'" + HexFormat.of().formatHex(value) + "'";
            }
        }
        return new String(value, StandardCharsets.US_ASCII);
    }
}
