package dev.attest.tpm;

/** Primary seed hierarchies (TPM 2.0 Part 1 §14; handles Part 2 §7.4 TPM_RH). */
public enum Hierarchy {
    /** TPM_RH_OWNER (storage hierarchy). */
    OWNER(0x40000001),
    /** TPM_RH_ENDORSEMENT. */
    ENDORSEMENT(0x4000000B),
    /** TPM_RH_PLATFORM. */
    PLATFORM(0x4000000C),
    /** TPM_RH_NULL (ephemeral, seed changes on every reset). */
    NULL(0x40000007);

    private final int handle;

    Hierarchy(int handle) {
        this.handle = handle;
    }

    /** @return the permanent handle */
    public int handle() {
        return handle;
    }
}
