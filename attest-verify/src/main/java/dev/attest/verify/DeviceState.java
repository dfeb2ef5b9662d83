package dev.attest.verify;

import dev.attest.core.LogHead;
import java.time.Instant;
import java.util.Objects;

/**
 * What the verifier remembers about a device between appraisals: the last measurement log head
 * it accepted and when.
 *
 * @param head the last accepted log head (sequence, chain digest, boot id)
 * @param appraisedAt when that evidence was appraised
 */
public record DeviceState(LogHead head, Instant appraisedAt) {
    /**
     * Validates the parts.
     *
     * @param head the last accepted log head (sequence, chain digest, boot id)
     * @param appraisedAt when that evidence was appraised
     */
    public DeviceState {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(appraisedAt, "appraisedAt");
    }

    /**
     * Same head (sequence, digest in constant time, boot id).
     *
     * @param other the head to compare with
     * @return true if sequence, digest and boot id are equal
     */
    public boolean sameHead(LogHead other) {
        return head.sequence() == other.sequence() && head.bootId().equals(other.bootId())
                && head.head().matches(other.head());
    }
}
