package dev.attest.core;

import java.util.Objects;

/**
 * One entry of a {@link MeasurementLog}: the measurement, its sequence number, the digest of its
 * canonical encoding, and the chain head after it ({@code head_n = H(head_{n-1} || H(canonical(m_n)))}).
 *
 * @param sequence 1-based position in the chain
 * @param measurement the measurement
 * @param measurementDigest {@code H(canonical(measurement))}
 * @param head the chain head after this entry
 */
public record LogEntry(long sequence, Measurement measurement, Digest measurementDigest, Digest head) {
    /**
     * @param sequence 1-based position in the chain
     * @param measurement the measurement
     * @param measurementDigest {@code H(canonical(measurement))}
     * @param head the chain head after this entry
     * @throws IllegalArgumentException for a sequence below 1 or digests of different algorithms
     */
    public LogEntry {
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be >= 1");
        }
        Objects.requireNonNull(measurement, "measurement");
        Objects.requireNonNull(measurementDigest, "measurementDigest");
        Objects.requireNonNull(head, "head");
        if (measurementDigest.algorithm() != head.algorithm()) {
            throw new IllegalArgumentException("entry digests must use one algorithm");
        }
    }
}
