package dev.attest.tpm;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A key loaded in the TPM: its transient handle, public area and Name (TPM 2.0 Part 3 §24.1
 * TPM2_CreatePrimary outputs objectHandle, outPublic and name). Flush it with
 * {@link Tpm#flushContext(int)} when done: a TPM without resource manager has few object slots.
 *
 * @param handle the transient object handle (0x80xxxxxx)
 * @param publicArea the public area
 * @param name the Name the TPM reported
 */
public record LoadedKey(int handle, TpmtPublic publicArea, byte[] name) {
    /**
     * Copies the name.
     *
     * @param handle the transient object handle (0x80xxxxxx)
     * @param publicArea the public area
     * @param name the Name the TPM reported
     */
    public LoadedKey {
        Objects.requireNonNull(publicArea, "publicArea");
        name = name.clone();
    }

    /** @return a copy of {@code name} */
    @Override
    public byte[] name() {
        return name.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoadedKey k && k.handle == handle && k.publicArea.equals(publicArea) && Arrays.equals(k.name, name);
    }

    @Override
    public int hashCode() {
        return handle * 31 + Arrays.hashCode(name);
    }

    @Override
    public String toString() {
        return String.format("LoadedKey{handle=0x%08X, name=%s}", handle, HexFormat.of().formatHex(name));
    }
}
