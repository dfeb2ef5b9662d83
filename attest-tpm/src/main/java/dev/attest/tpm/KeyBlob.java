package dev.attest.tpm;

import java.util.Arrays;
import java.util.Objects;

/**
 * A key created under a storage parent (TPM2_Create outputs, TPM 2.0 Part 3 §12.1): the
 * TPM2B_PRIVATE contents, encrypted and integrity-protected by the parent so only that TPM can
 * load it, and the public area. Persist both to reload the key with {@link Tpm#load}.
 *
 * @param privateBlob the TPM2B_PRIVATE contents (opaque, wrapped by the parent)
 * @param publicArea the public area
 */
public record KeyBlob(byte[] privateBlob, TpmtPublic publicArea) {
    /** Bound on TPM2B_PRIVATE (sizeof(_PRIVATE) on common TPMs is well below this). */
    public static final int MAX_PRIVATE = 1024;

    /**
     * Validates and copies.
     *
     * @param privateBlob the TPM2B_PRIVATE contents (opaque, wrapped by the parent)
     * @param publicArea the public area
     */
    public KeyBlob {
        Objects.requireNonNull(publicArea, "publicArea");
        if (privateBlob.length == 0 || privateBlob.length > MAX_PRIVATE) {
            throw new IllegalArgumentException("private blob of " + privateBlob.length + " bytes");
        }
        privateBlob = privateBlob.clone();
    }

    /** @return a copy of {@code privateBlob} */
    @Override
    public byte[] privateBlob() {
        return privateBlob.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyBlob k && Arrays.equals(k.privateBlob, privateBlob) && k.publicArea.equals(publicArea);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(privateBlob) * 31 + publicArea.hashCode();
    }

    /** The wrapped private part is not printed. */
    @Override
    public String toString() {
        return "KeyBlob{" + publicArea + ", private=" + privateBlob.length + " bytes}";
    }
}
