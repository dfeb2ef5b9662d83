package dev.attest.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Collector} knows about the cycle it runs in: the cycle number, the time the cycle
 * was planned for, how long the collector may take, and, for a challenge, the verifier's nonce
 * (a TPM quote collector binds its quote to it). Immutable; the nonce is copied in and out.
 */
public final class CollectionContext {
    private final long cycle;
    private final Instant time;
    private final Duration timeout;
    private final byte[] nonce;

    private CollectionContext(long cycle, Instant time, Duration timeout, byte[] nonce) {
        if (cycle < 0) {
            throw new IllegalArgumentException("cycle must be >= 0");
        }
        this.cycle = cycle;
        this.time = Objects.requireNonNull(time, "time");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        this.nonce = nonce == null ? null : nonce.clone();
    }

    /**
     * A context for cycle {@code cycle} at {@code time}, with no challenge.
     *
     * @param cycle the cycle number, from 1
     * @param time when the cycle was planned to start
     * @param timeout how long the collector may take
     * @return the context
     */
    public static CollectionContext of(long cycle, Instant time, Duration timeout) {
        return new CollectionContext(cycle, time, timeout, null);
    }

    /**
     * This context answering a verifier's challenge {@code nonce}.
     *
     * @param nonce the challenge; copied
     * @return a new context with the same cycle, time and timeout
     */
    public CollectionContext withNonce(byte[] nonce) {
        Objects.requireNonNull(nonce, "nonce");
        return new CollectionContext(cycle, time, timeout, nonce);
    }

    /**
     * Number of the cycle, counting from 1 for a scheduler's first cycle.
     *
     * @return the cycle number
     */
    public long cycle() {
        return cycle;
    }

    /**
     * When the cycle was planned to start; collectors stamp their measurements with it.
     *
     * @return the planned start time
     */
    public Instant time() {
        return time;
    }

    /**
     * How long the collector may take before its run is cancelled.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * The verifier's nonce, when the cycle answers a challenge.
     *
     * @return a copy of the nonce, or empty for a periodic cycle
     */
    public Optional<byte[]> nonce() {
        return nonce == null ? Optional.empty() : Optional.of(nonce.clone());
    }

    @Override
    public String toString() {
        return "CollectionContext[cycle=" + cycle + ", time=" + time + ", timeout=" + timeout
                + (nonce == null ? "" : ", nonce=" + nonce.length + " bytes") + "]";
    }
}
