package dev.attest.tpm.eventlog;

import java.util.Arrays;
import java.util.List;

/**
 * A UEFI application loaded by boot services, EV_EFI_BOOT_SERVICES_APPLICATION (TCG PFP
 * §10.4.4): its digests are the Authenticode digests of the PE image (boot loaders, shim, GRUB),
 * the event data a UEFI_IMAGE_LOAD_EVENT (PFP §10.3.2).
 *
 * @param eventIndex the index of the event in the log
 * @param pcr the PCR (normally 4)
 * @param digests the image digests per algorithm
 * @param imageLocation ImageLocationInMemory
 * @param imageLength ImageLengthInMemory
 * @param devicePath the EFI device path (LengthOfDevicePath bytes) naming where the image came from
 */
public record BootApplication(int eventIndex, int pcr, List<EventDigest> digests, long imageLocation, long imageLength,
        byte[] devicePath) {
    /**
     * Copies.
     *
     * @param eventIndex the index of the event in the log
     * @param pcr the PCR (normally 4)
     * @param digests the image digests per algorithm
     * @param imageLocation ImageLocationInMemory
     * @param imageLength ImageLengthInMemory
     * @param devicePath the EFI device path (LengthOfDevicePath bytes) naming where the image came from
     */
    public BootApplication {
        digests = List.copyOf(digests);
        devicePath = devicePath.clone();
    }

    /** @return a copy of {@code devicePath} */
    @Override
    public byte[] devicePath() {
        return devicePath.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BootApplication b && b.eventIndex == eventIndex && b.pcr == pcr && b.digests.equals(digests)
                && b.imageLocation == imageLocation && b.imageLength == imageLength && Arrays.equals(b.devicePath, devicePath);
    }

    @Override
    public int hashCode() {
        return eventIndex * 31 + digests.hashCode();
    }
}
