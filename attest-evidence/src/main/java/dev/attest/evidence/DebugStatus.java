package dev.attest.evidence;

/** The EAT {@code dbgstat} values (RFC 9711 §4.2.9), in their registered order. */
public enum DebugStatus {
    /** Debug is enabled. */
    ENABLED,
    /** Debug is disabled. */
    DISABLED,
    /** Debug was disabled since boot. */
    DISABLED_SINCE_BOOT,
    /** Debug is permanently disabled. */
    DISABLED_PERMANENTLY,
    /** Debug is fully and permanently disabled, including by the manufacturer. */
    DISABLED_FULLY_AND_PERMANENTLY
}
