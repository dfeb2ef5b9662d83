package dev.attest.core;

import java.util.Objects;

/**
 * The head of a {@link MeasurementLog}: how many entries the chain holds, the chain digest after
 * the last of them, and the boot the device was in when it was taken. Evidence carries it so a
 * verifier can prove that new evidence continues the chain it saw last (or that the device
 * rebooted). A head with sequence 0 is the genesis head of an empty log.
 *
 * @param sequence number of the last entry (1-based); 0 for an empty log
 * @param head the chain digest {@code head_n}
 * @param bootId the boot (or session) id, 1 to 128 printable characters
 */
public record LogHead(long sequence, Digest head, String bootId) {
    /**
     * @param sequence number of the last entry (1-based); 0 for an empty log
     * @param head the chain digest {@code head_n}
     * @param bootId the boot (or session) id, 1 to 128 printable characters
     * @throws IllegalArgumentException for a negative sequence or a malformed boot id
     */
    public LogHead {
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0");
        }
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(bootId, "bootId");
        if (bootId.isEmpty() || bootId.length() > 128 || !printableAscii(bootId)) {
            throw new IllegalArgumentException("boot id must be 1..128 printable ASCII characters");
        }
    }

    private static boolean printableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
