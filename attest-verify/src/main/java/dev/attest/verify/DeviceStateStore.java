package dev.attest.verify;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a verifier keeps per-device state (SPI). Implementations must make
 * {@link #compareAndSet} and {@link #useNonce} atomic across every verifier instance sharing the
 * store, so two replicas can never both accept the same sequence number or nonce.
 */
public interface DeviceStateStore {
    /** The state of {@code device}, if it was ever appraised. */
    Optional<DeviceState> get(String device);

    /**
     * Replaces the state of {@code device} with {@code next} only if it is still {@code expected}
     * (empty: the device has no state yet).
     *
     * @return whether the swap happened
     */
    boolean compareAndSet(String device, Optional<DeviceState> expected, DeviceState next);

    /**
     * Records that {@code nonce} was used by {@code device}; remembers it for at least {@code ttl}.
     *
     * @return false if it was used before
     */
    boolean useNonce(String device, byte[] nonce, Duration ttl);

    /** A store in this JVM's memory. */
    static DeviceStateStore inMemory() {
        return new InMemoryDeviceStateStore();
    }
}
