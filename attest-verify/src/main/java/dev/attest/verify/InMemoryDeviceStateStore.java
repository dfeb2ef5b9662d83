package dev.attest.verify;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@link DeviceStateStore} in memory, for one verifier process. Atomic through
 * {@link ConcurrentHashMap}; nonces are kept until {@code ttl} after first use; appraiser states
 * are copied in and out and compared byte for byte. As a shard it records its identity in memory
 * (for tests of {@link PartitionedDeviceStateStore}; shards in one process protect nothing).
 */
final class InMemoryDeviceStateStore implements DeviceStateStore {
    private final ConcurrentMap<String, DeviceState> states = new ConcurrentHashMap<>();
    private final ConcurrentMap<Key, byte[]> appraiserStates = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Long> nonces = new ConcurrentHashMap<>();
    /** Purge expired nonces when the map has grown to this size (doubling keeps it amortized O(1)). */
    private final java.util.concurrent.atomic.AtomicInteger purgeAt = new java.util.concurrent.atomic.AtomicInteger(10_000);
    /** The shard identity this store records, or null; guarded by this. */
    private ShardIdentity shard;
    /** Whether this store may be used: it recorded no identity before it was claimed with the one it records. */
    private volatile boolean usable = true;

    @Override
    public synchronized ShardIdentity claimShard(ShardIdentity wanted) {
        Objects.requireNonNull(wanted, "wanted");
        if (shard == null) {
            if (wanted.count() > 1 && !(states.isEmpty() && appraiserStates.isEmpty() && nonces.isEmpty())) {
                throw new StateStoreException(StateStoreException.Reason.PARTITION_MISMATCH, "the store holds state "
                        + "from before partitioning; it cannot become " + wanted, null);
            }
            shard = wanted;
        }
        if (shard.equals(wanted)) {
            usable = true;
        }
        return shard;
    }

    @Override
    public synchronized Optional<ShardIdentity> shardIdentity() {
        return Optional.ofNullable(shard);
    }

    private void checkUsable() {
        if (!usable) {
            throw new StateStoreException(StateStoreException.Reason.PARTITION_MISMATCH, "the store is " + shard
                    + " and was not claimed as such", null);
        }
    }

    @Override
    public Optional<DeviceState> get(String device) {
        checkUsable();
        return Optional.ofNullable(states.get(device));
    }

    @Override
    public boolean compareAndSet(String device, Optional<DeviceState> expected, DeviceState next) {
        checkUsable();
        Objects.requireNonNull(next, "next");
        if (expected.isEmpty()) {
            return states.putIfAbsent(device, next) == null;
        }
        return states.replace(device, expected.get(), next);
    }

    @Override
    public boolean useNonce(String device, byte[] nonce, Duration ttl) {
        checkUsable();
        long now = System.nanoTime();
        int limit = purgeAt.get();
        if (nonces.size() > limit && purgeAt.compareAndSet(limit, Integer.MAX_VALUE)) {
            nonces.values().removeIf(expiry -> expiry - now < 0);
            purgeAt.set(Math.max(10_000, nonces.size() * 2));
        }
        String key = device + '\u0000' + HexFormat.of().formatHex(nonce);
        return nonces.putIfAbsent(key, now + ttl.toNanos()) == null;
    }

    @Override
    public Optional<byte[]> appraiserState(String device, String appraiser) {
        checkUsable();
        Objects.requireNonNull(device, "device");
        DeviceStateStore.checkAppraiserId(appraiser);
        return Optional.ofNullable(appraiserStates.get(new Key(device, appraiser))).map(byte[]::clone);
    }

    @Override
    public boolean compareAndSetAppraiserState(String device, String appraiser, Optional<byte[]> expected, byte[] next) {
        checkUsable();
        Objects.requireNonNull(device, "device");
        DeviceStateStore.checkAppraiserSwap(appraiser, expected, next);
        byte[] copy = next.clone();
        boolean[] swapped = new boolean[1];
        appraiserStates.compute(new Key(device, appraiser), (k, current) -> {
            swapped[0] = expected.isEmpty() ? current == null
                    : current != null && MessageDigest.isEqual(current, expected.get());
            return swapped[0] ? copy : current;
        });
        return swapped[0];
    }

    private record Key(String device, String appraiser) {
    }
}
