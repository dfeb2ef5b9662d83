package dev.attest.tpm.eventlog;

import java.util.Optional;

/** Event types of the TCG PC Client Platform Firmware Profile (PFP) §10.4.1 and UEFI events §10.4.4. */
public enum EventType {
    /** EV_PREBOOT_CERT. */ EV_PREBOOT_CERT(0x0),
    /** EV_POST_CODE. */ EV_POST_CODE(0x1),
    /** EV_UNUSED. */ EV_UNUSED(0x2),
    /** EV_NO_ACTION: not extended into any PCR. */ EV_NO_ACTION(0x3),
    /** EV_SEPARATOR. */ EV_SEPARATOR(0x4),
    /** EV_ACTION. */ EV_ACTION(0x5),
    /** EV_EVENT_TAG. */ EV_EVENT_TAG(0x6),
    /** EV_S_CRTM_CONTENTS. */ EV_S_CRTM_CONTENTS(0x7),
    /** EV_S_CRTM_VERSION. */ EV_S_CRTM_VERSION(0x8),
    /** EV_CPU_MICROCODE. */ EV_CPU_MICROCODE(0x9),
    /** EV_PLATFORM_CONFIG_FLAGS. */ EV_PLATFORM_CONFIG_FLAGS(0xA),
    /** EV_TABLE_OF_DEVICES. */ EV_TABLE_OF_DEVICES(0xB),
    /** EV_COMPACT_HASH. */ EV_COMPACT_HASH(0xC),
    /** EV_IPL. */ EV_IPL(0xD),
    /** EV_IPL_PARTITION_DATA. */ EV_IPL_PARTITION_DATA(0xE),
    /** EV_NONHOST_CODE. */ EV_NONHOST_CODE(0xF),
    /** EV_NONHOST_CONFIG. */ EV_NONHOST_CONFIG(0x10),
    /** EV_NONHOST_INFO. */ EV_NONHOST_INFO(0x11),
    /** EV_OMIT_BOOT_DEVICE_EVENTS. */ EV_OMIT_BOOT_DEVICE_EVENTS(0x12),
    /** EV_EFI_VARIABLE_DRIVER_CONFIG: secure boot configuration variables (PCR 7). */ EV_EFI_VARIABLE_DRIVER_CONFIG(0x80000001),
    /** EV_EFI_VARIABLE_BOOT. */ EV_EFI_VARIABLE_BOOT(0x80000002),
    /** EV_EFI_BOOT_SERVICES_APPLICATION: a UEFI application loaded (boot loaders). */ EV_EFI_BOOT_SERVICES_APPLICATION(0x80000003),
    /** EV_EFI_BOOT_SERVICES_DRIVER. */ EV_EFI_BOOT_SERVICES_DRIVER(0x80000004),
    /** EV_EFI_RUNTIME_SERVICES_DRIVER. */ EV_EFI_RUNTIME_SERVICES_DRIVER(0x80000005),
    /** EV_EFI_GPT_EVENT. */ EV_EFI_GPT_EVENT(0x80000006),
    /** EV_EFI_ACTION. */ EV_EFI_ACTION(0x80000007),
    /** EV_EFI_PLATFORM_FIRMWARE_BLOB. */ EV_EFI_PLATFORM_FIRMWARE_BLOB(0x80000008),
    /** EV_EFI_HANDOFF_TABLES. */ EV_EFI_HANDOFF_TABLES(0x80000009),
    /** EV_EFI_PLATFORM_FIRMWARE_BLOB2. */ EV_EFI_PLATFORM_FIRMWARE_BLOB2(0x8000000A),
    /** EV_EFI_HANDOFF_TABLES2. */ EV_EFI_HANDOFF_TABLES2(0x8000000B),
    /** EV_EFI_VARIABLE_BOOT2. */ EV_EFI_VARIABLE_BOOT2(0x8000000C),
    /** EV_EFI_HCRTM_EVENT. */ EV_EFI_HCRTM_EVENT(0x80000010),
    /** EV_EFI_VARIABLE_AUTHORITY: the db entry that authorized a loaded image (PCR 7). */ EV_EFI_VARIABLE_AUTHORITY(0x800000E0),
    /** EV_EFI_SPDM_FIRMWARE_BLOB. */ EV_EFI_SPDM_FIRMWARE_BLOB(0x800000E1),
    /** EV_EFI_SPDM_FIRMWARE_CONFIG. */ EV_EFI_SPDM_FIRMWARE_CONFIG(0x800000E2);

    private final int value;

    EventType(int value) {
        this.value = value;
    }

    /** @return the 32-bit event type value */
    public int value() {
        return value;
    }

    /**
     * @param value the EV_* value
     * @return the known type with this value, if any (unknown types are legal in a log)
     */
    public static Optional<EventType> of(int value) {
        for (EventType t : values()) {
            if (t.value == value) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
