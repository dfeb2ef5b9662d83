package dev.attest.tpm.eventlog;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A UEFI variable measured with EV_EFI_VARIABLE_DRIVER_CONFIG (TCG PFP §10.4.4 and §3.3.4.8):
 * the secure boot configuration (SecureBoot, PK, KEK, db, dbx, ...) measured into PCR 7. The event
 * data is a UEFI_VARIABLE_DATA structure (PFP §10.3.3).
 *
 * @param eventIndex the index of the event in the log
 * @param pcr the PCR it was measured into
 * @param vendorGuid the variable's vendor GUID in canonical text form
 * @param name the variable name (UTF-16LE decoded)
 * @param data the variable's data
 * @param digestsMatchData whether every replayable digest of the event equals the hash of its
 *        UEFI_VARIABLE_DATA, as PFP §3.3.4.8 requires (false: the event data is not what was measured)
 */
public record SecureBootVariable(int eventIndex, int pcr, String vendorGuid, String name, byte[] data,
        boolean digestsMatchData) {
    /** The EFI_GLOBAL_VARIABLE GUID (SecureBoot, PK, KEK). */
    public static final String EFI_GLOBAL_VARIABLE = "8be4df61-93ca-11d2-aa0d-00e098032b8c";
    /** The EFI_IMAGE_SECURITY_DATABASE GUID (db, dbx). */
    public static final String EFI_IMAGE_SECURITY_DATABASE = "d719b2cb-3d3a-4596-a3bc-dad00e67656f";

    /**
     * Copies.
     *
     * @param eventIndex the index of the event in the log
     * @param pcr the PCR it was measured into
     * @param vendorGuid the variable's vendor GUID in canonical text form
     * @param name the variable name (UTF-16LE decoded)
     * @param data the variable's data
     * @param digestsMatchData whether every replayable digest of the event equals the hash of its
     *     UEFI_VARIABLE_DATA, as PFP §3.3.4.8 requires (false: the event data is not what was measured)
     */
    public SecureBootVariable {
        Objects.requireNonNull(vendorGuid, "vendorGuid");
        Objects.requireNonNull(name, "name");
        data = data.clone();
    }

    /** @return a copy of {@code data} */
    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecureBootVariable v && v.eventIndex == eventIndex && v.pcr == pcr
                && v.vendorGuid.equals(vendorGuid) && v.name.equals(name) && Arrays.equals(v.data, data)
                && v.digestsMatchData == digestsMatchData;
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventIndex, name, vendorGuid, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "SecureBootVariable{#" + eventIndex + " " + name + " " + vendorGuid + " "
                + (data.length <= 4 ? HexFormat.of().formatHex(data) : data.length + " bytes") + "}";
    }
}
