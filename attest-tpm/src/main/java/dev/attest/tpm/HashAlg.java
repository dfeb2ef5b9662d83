package dev.attest.tpm;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The hash algorithms this SDK computes (TPM 2.0 Part 2 §6.3 TPM_ALG_ID; TCG Algorithm Registry).
 */
public enum HashAlg {
    /** TPM_ALG_SHA1 (0x0004). Accepted for PCR banks and event logs; rejected for signatures unless allowed. */
    SHA1(0x0004, 20, "SHA-1"),
    /** TPM_ALG_SHA256 (0x000B). */
    SHA256(0x000B, 32, "SHA-256"),
    /** TPM_ALG_SHA384 (0x000C). */
    SHA384(0x000C, 48, "SHA-384"),
    /** TPM_ALG_SHA512 (0x000D). */
    SHA512(0x000D, 64, "SHA-512");

    private final int algId;
    private final int size;
    private final String jcaName;

    HashAlg(int algId, int size, String jcaName) {
        this.algId = algId;
        this.size = size;
        this.jcaName = jcaName;
    }

    /** @return the TPM_ALG_ID */
    public int algId() {
        return algId;
    }

    /** @return the digest length in bytes */
    public int digestSize() {
        return size;
    }

    /** @return the JCA MessageDigest name */
    public String jcaName() {
        return jcaName;
    }

    /** @return a fresh MessageDigest from the JDK's providers (every Java SE 17 runtime has these four) */
    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Java SE requires " + jcaName, e);
        }
    }

    /**
     * @param data the bytes to hash
     * @return the hash of {@code data}
     */
    public byte[] hash(byte[] data) {
        return newDigest().digest(data);
    }

    /**
     * @param algId the TPM_ALG_ID
     * @return the algorithm with this TPM_ALG_ID, if known
     */
    public static Optional<HashAlg> fromAlgId(int algId) {
        for (HashAlg h : values()) {
            if (h.algId == algId) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }
}
