package dev.attest.verify.corim;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable byte string: the value of a CoRIM byte-string field (an identifier, a digest, a
 * raw value). Equal on content; {@link #toString()} prints at most its first 32 bytes in hex.
 */
public final class Octets {
    private static final Octets EMPTY = new Octets(new byte[0]);
    private final byte[] value;

    private Octets(byte[] value) {
        this.value = value;
    }

    /**
     * A copy of {@code value}.
     *
     * @param value the bytes; copied
     * @return the octets
     */
    public static Octets of(byte[] value) {
        return new Octets(Objects.requireNonNull(value, "value").clone());
    }

    /**
     * The bytes of a hex string (either case).
     *
     * @param hex the hex string
     * @return the octets
     * @throws IllegalArgumentException if not hex
     */
    public static Octets fromHex(String hex) {
        return new Octets(HexFormat.of().parseHex(hex));
    }

    /**
     * The empty byte string.
     *
     * @return empty octets
     */
    public static Octets empty() {
        return EMPTY;
    }

    /**
     * A copy of the bytes.
     *
     * @return a fresh copy of the bytes
     */
    public byte[] bytes() {
        return value.clone();
    }

    /**
     * The number of bytes.
     *
     * @return the length
     */
    public int length() {
        return value.length;
    }

    /**
     * Whether there are no bytes.
     *
     * @return true if the length is 0
     */
    public boolean isEmpty() {
        return value.length == 0;
    }

    /**
     * The bytes in lower-case hex.
     *
     * @return the hex string
     */
    public String hex() {
        return HexFormat.of().formatHex(value);
    }

    /**
     * Whether {@code other} holds the same bytes, compared in time independent of where they differ.
     *
     * @param other the octets to compare with
     * @return true if the bytes are equal
     */
    public boolean matches(Octets other) {
        return MessageDigest.isEqual(value, other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Octets b && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return value.length <= 32 ? "h'" + hex() + "'"
                : "h'" + HexFormat.of().formatHex(value, 0, 32) + "…' (" + value.length + " bytes)";
    }
}
