package dev.attest.tpm;

import java.util.Objects;

/**
 * Fixed TPM properties read with TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES) (TPM 2.0 Part 2 §6.13,
 * TPM_PT_MANUFACTURER .. TPM_PT_FIRMWARE_VERSION_2).
 *
 * @param manufacturer the 4-character vendor ID (TCG Vendor ID Registry), trailing NULs removed
 * @param vendorString TPM_PT_VENDOR_STRING_1..4 as text, trailing NULs removed
 * @param firmwareVersion TPM_PT_FIRMWARE_VERSION_1 || TPM_PT_FIRMWARE_VERSION_2, as in TPMS_ATTEST.firmwareVersion
 * @param specLevel TPM_PT_LEVEL
 * @param specRevision TPM_PT_REVISION (e.g. 164 for revision 1.64)
 * @param nvBufferMax TPM_PT_NV_BUFFER_MAX, the largest NV read/write chunk
 */
public record TpmInfo(String manufacturer, String vendorString, long firmwareVersion, int specLevel, int specRevision,
        int nvBufferMax) {
    /**
     * Validates.
     *
     * @param manufacturer the 4-character vendor ID (TCG Vendor ID Registry), trailing NULs removed
     * @param vendorString TPM_PT_VENDOR_STRING_1..4 as text, trailing NULs removed
     * @param firmwareVersion TPM_PT_FIRMWARE_VERSION_1 || TPM_PT_FIRMWARE_VERSION_2, as in
     *     TPMS_ATTEST.firmwareVersion
     * @param specLevel TPM_PT_LEVEL
     * @param specRevision TPM_PT_REVISION (e.g. 164 for revision 1.64)
     * @param nvBufferMax TPM_PT_NV_BUFFER_MAX, the largest NV read/write chunk
     */
    public TpmInfo {
        Objects.requireNonNull(manufacturer, "manufacturer");
        Objects.requireNonNull(vendorString, "vendorString");
    }
}
