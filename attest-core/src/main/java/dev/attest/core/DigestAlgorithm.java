package dev.attest.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * The digest algorithms a measurement may use: an allow-list. Weak algorithms (MD5, SHA-1) are
 * deliberately absent, so evidence cannot be downgraded to them. Each algorithm carries its
 * identifier in the IANA "Named Information Hash Algorithm" registry, which is what EAT
 * measured-component digests ({@code [alg, value]}) use, and its JCA name. Hashing goes through
 * the JDK's {@link MessageDigest}, whose SHA-2 implementations use the CPU's SHA extensions.
 */
public enum DigestAlgorithm {
    /** SHA-256, FIPS 180-4. Named Information id 1. */
    SHA_256("sha-256", "SHA-256", 1, 32),
    /** SHA-384, FIPS 180-4. Named Information id 7. */
    SHA_384("sha-384", "SHA-384", 7, 48),
    /** SHA-512, FIPS 180-4. Named Information id 8. */
    SHA_512("sha-512", "SHA-512", 8, 64),
    /** SHA3-256, FIPS 202. Named Information id 10 (9 is sha3-224). */
    SHA3_256("sha3-256", "SHA3-256", 10, 32);

    private final String ianaName;
    private final String jcaName;
    private final int namedInformationId;
    private final int length;
    private static final DigestAlgorithm[] ALL = values();
    /** Cloned for each new digest: much cheaper than a provider lookup per hash. */
    private final MessageDigest prototype;

    DigestAlgorithm(String ianaName, String jcaName, int namedInformationId, int length) {
        this.ianaName = ianaName;
        this.jcaName = jcaName;
        this.namedInformationId = namedInformationId;
        this.length = length;
        MessageDigest p;
        try {
            p = MessageDigest.getInstance(jcaName);
            p.clone();
        } catch (NoSuchAlgorithmException | CloneNotSupportedException e) {
            p = null;
        }
        this.prototype = p;
    }

    /**
     * The name in the IANA Named Information registry, e.g. {@code sha-256}.
     *
     * @return the IANA name
     */
    public String ianaName() {
        return ianaName;
    }

    /**
     * The JCA standard name, e.g. {@code SHA-256}.
     *
     * @return the JCA name
     */
    public String jcaName() {
        return jcaName;
    }

    /**
     * The id in the IANA Named Information registry (RFC 6920 §9.4).
     *
     * @return the Named Information id
     */
    public int namedInformationId() {
        return namedInformationId;
    }

    /**
     * Digest length in bytes.
     *
     * @return the digest length in bytes
     */
    public int length() {
        return length;
    }

    /**
     * A fresh {@link MessageDigest} for this algorithm from the JDK's providers.
     *
     * @return a new message digest
     */
    public MessageDigest newMessageDigest() {
        try {
            if (prototype != null) {
                return (MessageDigest) prototype.clone();
            }
            return MessageDigest.getInstance(jcaName);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(jcaName + " stopped being cloneable", e);
        } catch (NoSuchAlgorithmException e) {
            // Every Java 17 runtime must provide these (Java SE "Standard Algorithm Names").
            throw new IllegalStateException(jcaName + " missing from this Java runtime", e);
        }
    }

    /**
     * Hashes {@code data} in one call.
     *
     * @param data the bytes to hash
     * @return the digest of {@code data}
     */
    public Digest hash(byte[] data) {
        return new Digest(this, newMessageDigest().digest(data));
    }

    /**
     * The algorithm with this IANA name (case-insensitive), if it is allowed.
     *
     * @param name the IANA name, in any case
     * @return the algorithm, or empty if the name is unknown or not allowed
     */
    public static Optional<DigestAlgorithm> byIanaName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (DigestAlgorithm a : values()) {
            if (a.ianaName.equals(n)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * The algorithm with this Named Information id, if it is allowed.
     *
     * @param id the Named Information id
     * @return the algorithm, or empty if the id is unknown or not allowed
     */
    public static Optional<DigestAlgorithm> byNamedInformationId(long id) {
        for (DigestAlgorithm a : ALL) {
            if (a.namedInformationId == id) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
