package dev.attest.tpm.eventlog;

import dev.attest.tpm.HashAlg;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One TPMT_HA of an event (TCG PFP §10.2.2 TPML_DIGEST_VALUES): algorithm ID and digest. The
 * algorithm may be one this SDK does not compute (e.g. SM3_256); its size then comes from the
 * Spec ID event.
 *
 * @param algId the TPM_ALG_ID
 * @param digest the digest bytes
 */
public record EventDigest(int algId, byte[] digest) {
    /**
     * Copies the digest.
     *
     * @param algId the TPM_ALG_ID
     * @param digest the digest bytes
     */
    public EventDigest {
        digest = digest.clone();
    }

    /** @return a copy of {@code digest} */
    @Override
    public byte[] digest() {
        return digest.clone();
    }

    /** @return the algorithm, if this SDK knows it */
    public Optional<HashAlg> hash() {
        return HashAlg.fromAlgId(algId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventDigest d && d.algId == algId && Arrays.equals(d.digest, digest);
    }

    @Override
    public int hashCode() {
        return algId * 31 + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return String.format("0x%04X:%s", algId, HexFormat.of().formatHex(digest));
    }
}
