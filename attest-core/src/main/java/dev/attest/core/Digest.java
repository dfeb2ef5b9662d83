package dev.attest.core;

import dev.attest.core.internal.Bytes;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A digest value together with its algorithm. Immutable: the bytes are copied in and out.
 * {@link #equals} compares in constant time (for equal lengths), so a digest from evidence can be
 * compared with a reference value without leaking how many leading bytes match.
 * Rejects a value whose length does not match the algorithm.
 */
public final class Digest {
    private static final HexFormat HEX = HexFormat.of();

    private final DigestAlgorithm algorithm;
    private final byte[] value;

    /**
     * @param algorithm the algorithm the digest was computed with
     * @param value the digest bytes; copied
     * @throws IllegalArgumentException if {@code value} is not {@link DigestAlgorithm#length()}
     *     bytes long
     */
    public Digest(DigestAlgorithm algorithm, byte[] value) {
        this(algorithm, value, false);
    }

    /** @param adopt whether to take {@code value} without a copy: only for an array nobody else holds */
    private Digest(DigestAlgorithm algorithm, byte[] value, boolean adopt) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(value, "value");
        if (value.length != algorithm.length()) {
            throw new IllegalArgumentException(algorithm.ianaName() + " digest must be "
                    + algorithm.length() + " bytes, got " + value.length);
        }
        this.value = adopt ? value : value.clone();
    }

    /**
     * A digest that takes {@code value} without a copy, for the canonical decoder (through
     * {@link dev.attest.core.internal.MeasurementAccess}): the caller must drop the array.
     */
    static Digest adopt(DigestAlgorithm algorithm, byte[] value) {
        return new Digest(algorithm, value, true);
    }

    /**
     * A digest from its hex form.
     *
     * @param algorithm the algorithm
     * @param hex the digest bytes in hex, either case
     * @return the digest
     */
    public static Digest ofHex(DigestAlgorithm algorithm, String hex) {
        return new Digest(algorithm, HEX.parseHex(hex));
    }

    /**
     * Parses the {@code <iana-name>:<hex>} form that {@link #toString()} produces, e.g.
     * {@code sha-256:9f86d0...}.
     *
     * @param text the text, {@code <iana-name>:<hex>}
     * @return the digest
     * @throws IllegalArgumentException for an unknown or disallowed algorithm or bad hex
     */
    public static Digest parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected <algorithm>:<hex>");
        }
        DigestAlgorithm alg = DigestAlgorithm.byIanaName(text.substring(0, colon))
                .orElseThrow(() -> new IllegalArgumentException("digest algorithm not allowed: "
                        + text.substring(0, colon)));
        return ofHex(alg, text.substring(colon + 1));
    }

    /**
     * The algorithm this digest was computed with.
     *
     * @return the algorithm
     */
    public DigestAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * A copy of the digest bytes.
     *
     * @return a fresh copy of the digest bytes
     */
    public byte[] value() {
        return value.clone();
    }

    /**
     * Lower-case hex of the digest bytes.
     *
     * @return the hex form, lower case
     */
    public String hex() {
        return HEX.formatHex(value);
    }

    /**
     * Whether {@code other} has the same algorithm and bytes, compared in constant time.
     *
     * @param other the digest to compare with
     * @return true if the algorithms and the bytes are equal
     */
    public boolean matches(Digest other) {
        return other != null && algorithm == other.algorithm
                && Bytes.constantTimeEquals(value, other.value);
    }

    /**
     * Compares two byte arrays in time that depends only on their lengths (for nonces and
     * digests). Arrays of different lengths are unequal.
     *
     * @param a one array
     * @param b the other array
     * @return true if both have the same length and the same bytes
     */
    public static boolean constantTimeEquals(byte[] a, byte[] b) {
        return Bytes.constantTimeEquals(a, b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && matches(d);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.hashCode() + Arrays.hashCode(value);
    }

    /** {@code <iana-name>:<hex>}; a digest is public data, never a secret. */
    @Override
    public String toString() {
        return algorithm.ianaName() + ":" + hex();
    }
}
