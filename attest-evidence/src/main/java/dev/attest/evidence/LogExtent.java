package dev.attest.evidence;

import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import java.util.List;
import java.util.Objects;

/**
 * The part of a device's measurement log that one evidence covers: the head the previous
 * evidence ended at, the head this one ends at, and the measurements in between in chain order.
 * A verifier replays {@code measurements} from {@code since} and must arrive at {@code head}.
 *
 * @param since the head before the first measurement (the previous evidence's head)
 * @param head the head after the last measurement
 * @param measurements the measurements in chain order; their count is
 *     {@code head.sequence() - since.sequence()}
 */
public record LogExtent(LogHead since, LogHead head, List<Measurement> measurements) {
    /**
     * @param since the head before the first measurement
     * @param head the head after the last measurement
     * @param measurements the measurements in chain order, {@code head.sequence() - since.sequence()} of them
     * @throws IllegalArgumentException if the counts, boot ids or algorithms disagree
     */
    public LogExtent {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(head, "head");
        measurements = List.copyOf(measurements);
        if (head.sequence() - since.sequence() != measurements.size()) {
            throw new IllegalArgumentException("log extent holds " + measurements.size()
                    + " measurements but its heads are " + (head.sequence() - since.sequence()) + " apart");
        }
        if (!since.bootId().equals(head.bootId())) {
            throw new IllegalArgumentException("since and head must be in the same boot");
        }
        if (since.head().algorithm() != head.head().algorithm()) {
            throw new IllegalArgumentException("since and head must use the same digest algorithm");
        }
    }
}
