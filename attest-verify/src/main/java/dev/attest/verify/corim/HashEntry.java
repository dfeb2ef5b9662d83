package dev.attest.verify.corim;

import java.util.Objects;

/**
 * A digest as CoRIM writes it ({@code [hash-alg-id, hash-value]}, the EAT measured-component
 * {@code digest}), with the algorithm's id from IANA's Named Information Hash Algorithm
 * registry: 1 sha-256, 7 sha-384, 8 sha-512, 10 sha3-256, ...
 *
 * @param algorithm the Named Information hash algorithm id
 * @param value the digest
 */
public record HashEntry(long algorithm, Octets value) {
    /** Named Information id of SHA-256. */
    public static final long SHA_256 = 1;
    /** Named Information id of SHA-384. */
    public static final long SHA_384 = 7;
    /** Named Information id of SHA-512. */
    public static final long SHA_512 = 8;
    /** Named Information id of SHA3-256. */
    public static final long SHA3_256 = 10;

    /**
     * Validates the parts.
     *
     * @param algorithm the Named Information hash algorithm id
     * @param value the digest
     */
    public HashEntry {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a digest is not empty");
        }
    }
}
