package dev.attest.verify;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a verifier keeps per-device state (SPI). Implementations must make
 * {@link #compareAndSet}, {@link #useNonce} and {@link #compareAndSetAppraiserState} atomic
 * across every verifier instance sharing the store, so two replicas can never both accept the
 * same sequence number or nonce, nor both advance an appraiser's state from the same value.
 *
 * <p>Besides the verifier's own state (the device's measurement log head) the store keeps one
 * opaque state per device and {@link EvidenceAppraiser} ({@link #appraiserState}), which an
 * appraiser reads and swaps through {@link AppraiserState}: attest-tpm keeps the last TPM clock
 * and the IMA list bound so far there, so that a restarted verifier, or another replica, goes on
 * where the last appraisal of the device stopped.
 */
public interface DeviceStateStore {
    /** The largest appraiser state a store accepts, in bytes (1 MiB). */
    int MAX_APPRAISER_STATE_BYTES = 1 << 20;
    /** The longest appraiser id a store accepts; ids are {@code [a-z0-9.-]}, 1 to 64 characters. */
    int MAX_APPRAISER_ID_LENGTH = 64;

    /**
     * The state of {@code device}, if it was ever appraised.
     *
     * @param device the device id
     * @return the state, or empty if the device was never appraised
     */
    Optional<DeviceState> get(String device);

    /**
     * Replaces the state of {@code device} with {@code next} only if it is still {@code expected}
     * (empty: the device has no state yet).
     *
     * @param device the device id
     * @param expected the state the caller read, or empty for none
     * @param next the new state
     * @return whether the swap happened
     */
    boolean compareAndSet(String device, Optional<DeviceState> expected, DeviceState next);

    /**
     * Records that {@code nonce} was used by {@code device}; remembers it for at least {@code ttl}.
     *
     * @param device the device id
     * @param nonce the nonce
     * @param ttl how long to remember it at least
     * @return false if it was used before
     */
    boolean useNonce(String device, byte[] nonce, Duration ttl);

    /**
     * The state {@code appraiser} (its {@link EvidenceAppraiser#id()}) last stored for
     * {@code device}, if any; a copy the caller may keep.
     *
     * @param device the device id
     * @param appraiser the appraiser id
     * @return a copy of the stored state, or empty if none is stored
     * @throws IllegalArgumentException if the appraiser id is not 1 to
     *     {@value #MAX_APPRAISER_ID_LENGTH} characters of {@code [a-z0-9.-]}
     */
    Optional<byte[]> appraiserState(String device, String appraiser);

    /**
     * Replaces the state {@code appraiser} keeps for {@code device} with {@code next} only if the
     * stored bytes are still exactly {@code expected} (empty: none stored yet). Atomic across
     * every verifier sharing the store; {@code next} is copied.
     *
     * @param device the device id
     * @param appraiser the appraiser id
     * @param expected the bytes the caller read, or empty for none
     * @param next the new state
     * @return whether the swap happened
     * @throws IllegalArgumentException if {@code next} is longer than
     *     {@value #MAX_APPRAISER_STATE_BYTES} bytes, or the appraiser id is not valid (as
     *     {@link #appraiserState})
     */
    boolean compareAndSetAppraiserState(String device, String appraiser, Optional<byte[]> expected, byte[] next);

    /**
     * Makes this store {@code shard} of a {@link PartitionedDeviceStateStore}: records the
     * identity if the store records none yet, and answers the identity it records now, which the
     * caller compares with the one it asked for. Recording is atomic across every verifier
     * sharing the store: of two replicas claiming different identities at once, one records its
     * own and the other is answered with it. Once the store answered exactly {@code shard}, this
     * store object may be used; a store that records an identity is refused to every other use
     * ({@link StateStoreException.Reason#PARTITION_MISMATCH}), so that a replica configured with
     * one shard alone cannot take it for the whole fleet's state.
     *
     * <p>A store that holds state but records no identity refuses to become one of several shards
     * ({@code PARTITION_MISMATCH}): its devices may route elsewhere, where their state is not.
     * Becoming the only shard of a map ({@code count} 1) is allowed.
     *
     * @param shard the identity the caller's configuration gives this store
     * @return the identity the store records now
     * @throws StateStoreException {@code PARTITION_MISMATCH} as above, {@code UNAVAILABLE} if the
     *     store cannot be reached
     * @throws UnsupportedOperationException if this store cannot be a shard (the default)
     */
    default ShardIdentity claimShard(ShardIdentity shard) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot be a shard");
    }

    /**
     * The shard identity this store records ({@link #claimShard}), read without recording one.
     *
     * @return the identity, or empty if the store was never claimed as a shard
     * @throws StateStoreException {@code UNAVAILABLE} if the store cannot be reached,
     *     {@code PARTITION_MISMATCH} if what it records is not an identity this code understands
     * @throws UnsupportedOperationException if this store cannot be a shard (the default)
     */
    default Optional<ShardIdentity> shardIdentity() {
        throw new UnsupportedOperationException(getClass().getName() + " cannot be a shard");
    }

    /**
     * Checks an appraiser id as {@link #appraiserState} must: 1 to
     * {@value #MAX_APPRAISER_ID_LENGTH} characters of {@code [a-z0-9.-]}. For implementations;
     * {@link AppraiserState} checks before it calls a store.
     *
     * @param appraiser the appraiser id
     * @throws IllegalArgumentException if it is not such an id
     */
    static void checkAppraiserId(String appraiser) {
        java.util.Objects.requireNonNull(appraiser, "appraiser");
        boolean ok = !appraiser.isEmpty() && appraiser.length() <= MAX_APPRAISER_ID_LENGTH;
        for (int i = 0; ok && i < appraiser.length(); i++) {
            char c = appraiser.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
        }
        if (!ok) {
            throw new IllegalArgumentException("appraiser id must be 1.." + MAX_APPRAISER_ID_LENGTH
                    + " characters of [a-z0-9.-]");
        }
    }

    /**
     * Checks the arguments of {@link #compareAndSetAppraiserState} as it must: the appraiser id
     * ({@link #checkAppraiserId}), {@code expected} and {@code next} not null, {@code next} at
     * most {@value #MAX_APPRAISER_STATE_BYTES} bytes. For implementations; {@link AppraiserState}
     * checks before it calls a store.
     *
     * @param appraiser the appraiser id
     * @param expected the bytes the caller read, or empty
     * @param next the new state
     * @throws IllegalArgumentException if the id or the size is not valid
     * @throws NullPointerException if an argument is null
     */
    static void checkAppraiserSwap(String appraiser, Optional<byte[]> expected, byte[] next) {
        checkAppraiserId(appraiser);
        java.util.Objects.requireNonNull(expected, "expected");
        java.util.Objects.requireNonNull(next, "next");
        if (next.length > MAX_APPRAISER_STATE_BYTES) {
            throw new IllegalArgumentException("appraiser state of " + next.length + " bytes exceeds "
                    + MAX_APPRAISER_STATE_BYTES);
        }
    }

    /**
     * A store in this JVM's memory.
     *
     * @return a new, empty store
     */
    static DeviceStateStore inMemory() {
        return new InMemoryDeviceStateStore();
    }
}
