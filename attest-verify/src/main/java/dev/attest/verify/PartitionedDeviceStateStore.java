package dev.attest.verify;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link DeviceStateStore} partitioned by device over several stores, typically
 * {@link JdbcDeviceStateStore}s on separate PostgreSQL primaries: the path past one database's
 * write rate (docs/scaling.md). Each device's state, nonces and appraiser states are in exactly
 * one shard, the one {@link #shardOf(String, int)} names; every guarantee of the
 * {@link DeviceStateStore} contract is per device, so each holds as the shard provides it (one
 * acceptance per sequence, single-use nonces), across every verifier replica that opens the same
 * shards in the same order.
 *
 * <p><b>Routing</b> ({@value #ROUTING}): the SHA-256 digest of the device id's UTF-8 bytes, its
 * first eight bytes read as an unsigned big-endian 64-bit number, modulo the number of shards.
 * It depends only on the id and the count, never on the JVM, the process or the order devices
 * were seen in; on PostgreSQL (11 and later) the same shard is
 * {@code mod(('x' || left(encode(sha256(convert_to(device, 'UTF8')), 'hex'), 16))::bit(64)::bigint::numeric
 * + 18446744073709551616, 18446744073709551616) % n}, e.g. to move rows when re-partitioning.
 *
 * <p><b>Identity.</b> A device is looked up only in its own shard, so a shard list that changed
 * (a shard added or removed, two swapped, another database given) would look some devices up
 * where their state is not, see "first seen", and accept a replayed old evidence. So {@link #open}
 * makes each store {@link ShardIdentity shard i of n in map m} ({@link DeviceStateStore#claimShard}):
 * a store records that identity on first use and refuses every other one afterwards, a store
 * holding state from before partitioning refuses to become one of several shards, and a store
 * that records no identity while another shard of the list records its own (an empty database
 * put in a shard's place) is refused. A list that
 * disagrees with what its stores record is refused at start with {@link StateStoreException}
 * {@link StateStoreException.Reason#PARTITION_MISMATCH PARTITION_MISMATCH}, whose
 * {@link StateStoreException#shard()} names the first shard that disagrees. Re-partitioning (more
 * shards, other databases) is an offline migration to a new map id, described in docs/scaling.md:
 * stop every verifier, move each row to the shard its device routes to under the new count,
 * record the new identities, start the verifiers with the new list.
 */
public final class PartitionedDeviceStateStore implements DeviceStateStore, AutoCloseable {
    /** The routing function's name, recorded with each shard's identity. */
    public static final String ROUTING = "sha256-be64-mod";
    /** How often a partly recorded map is read again before it is refused (another replica may be recording it). */
    private static final int PARTIAL_ATTEMPTS = 6;

    private final String partitionMap;
    private final List<DeviceStateStore> shards;

    private PartitionedDeviceStateStore(String partitionMap, List<DeviceStateStore> shards) {
        this.partitionMap = partitionMap;
        this.shards = shards;
    }

    /**
     * A store over {@code shards}, shard {@code i} being {@code shards.get(i)} of the partition map
     * {@code partitionMap}: claims each store as its shard ({@link DeviceStateStore#claimShard}),
     * the first use of a store recording the identity, and refuses to start if any store records
     * another one. Every verifier replica must open the same stores in the same order under the
     * same map id.
     *
     * @param partitionMap the partition map's id (see {@link ShardIdentity}); a new one for every
     *     re-partitioning
     * @param shards the stores, in shard order; the same store never twice
     * @return the partitioned store; closing it closes every shard that is {@link AutoCloseable}
     * @throws StateStoreException {@code PARTITION_MISMATCH} naming the shard
     *     ({@link StateStoreException#shard()}) whose store records another identity, holds state
     *     from before partitioning, or records none while another shard records its own (after
     *     waiting about a second for a replica that may be recording a new map), or a store's
     *     failure to answer ({@code UNAVAILABLE})
     * @throws IllegalArgumentException if the map id is not valid, {@code shards} is empty, longer
     *     than {@value ShardIdentity#MAX_SHARDS}, or names one store twice
     * @throws UnsupportedOperationException if a store cannot be a shard
     */
    public static PartitionedDeviceStateStore open(String partitionMap, List<? extends DeviceStateStore> shards) {
        Objects.requireNonNull(partitionMap, "partitionMap");
        List<DeviceStateStore> list = List.copyOf(shards);
        if (list.isEmpty() || list.size() > ShardIdentity.MAX_SHARDS) {
            throw new IllegalArgumentException("1.." + ShardIdentity.MAX_SHARDS + " shards are needed: " + list.size());
        }
        for (int i = 0; i < list.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (list.get(i) == list.get(j)) {
                    throw new IllegalArgumentException("shards " + j + " and " + i + " are the same store");
                }
            }
        }
        List<ShardIdentity> wanted = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            wanted.add(new ShardIdentity(partitionMap, i, list.size()));
        }
        // Some shards record an identity, others none: a database was replaced by an empty one
        // (its devices would be "first seen" again), unless another replica is recording the
        // identities of a new map right now; that one is waited for a little.
        for (int attempt = 1;; attempt++) {
            List<Optional<ShardIdentity>> recorded = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                DeviceStateStore shard = list.get(i);
                Optional<ShardIdentity> r = onShard(i, wanted.get(i), shard::shardIdentity);
                if (r.isPresent() && !r.get().equals(wanted.get(i))) {
                    throw mismatch(i, wanted.get(i), r.get());
                }
                recorded.add(r);
            }
            int blank = recorded.indexOf(Optional.<ShardIdentity>empty());
            int claimed = blank < 0 ? 0 : indexOfPresent(recorded);
            if (blank < 0 || claimed < 0) {
                break;
            }
            if (attempt == PARTIAL_ATTEMPTS) {
                throw new StateStoreException(StateStoreException.Reason.PARTITION_MISMATCH, blank, "the store "
                        + "configured as " + wanted.get(blank) + " records no identity while shard " + claimed
                        + " records its own: a shard was replaced by an empty store (re-partitioning is an offline "
                        + "migration, docs/scaling.md)", null);
            }
            sleep(50L * attempt);
        }
        for (int i = 0; i < list.size(); i++) {
            DeviceStateStore shard = list.get(i);
            ShardIdentity want = wanted.get(i);
            ShardIdentity recorded = onShard(i, want, () -> shard.claimShard(want));
            if (!want.equals(recorded)) {
                throw mismatch(i, want, recorded);
            }
        }
        return new PartitionedDeviceStateStore(partitionMap, list);
    }

    private static StateStoreException mismatch(int index, ShardIdentity wanted, ShardIdentity recorded) {
        return new StateStoreException(StateStoreException.Reason.PARTITION_MISMATCH, index, "the store configured as "
                + wanted + " is " + recorded + " (the list of shards or the map id changed; re-partitioning is an "
                + "offline migration, docs/scaling.md)", null);
    }

    private static int indexOfPresent(List<Optional<ShardIdentity>> recorded) {
        for (int i = 0; i < recorded.size(); i++) {
            if (recorded.get(i).isPresent()) {
                return i;
            }
        }
        return -1;
    }

    /** Runs {@code call} on shard {@code index}, a failure of its store named with the shard. */
    private static <T> T onShard(int index, ShardIdentity wanted, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (StateStoreException e) {
            throw new StateStoreException(e.reason(), index, "the store configured as " + wanted + " cannot be it",
                    e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateStoreException(StateStoreException.Reason.UNAVAILABLE, "interrupted while waiting for "
                    + "the shards' identities", e);
        }
    }

    /**
     * The shard of {@code device} among {@code count} ({@value #ROUTING}, see the class comment).
     *
     * @param device the device id
     * @param count how many shards, 1 to {@value ShardIdentity#MAX_SHARDS}
     * @return the shard's index, {@code 0 <= index < count}
     * @throws IllegalArgumentException if {@code count} is out of range
     */
    public static int shardOf(String device, int count) {
        Objects.requireNonNull(device, "device");
        if (count < 1 || count > ShardIdentity.MAX_SHARDS) {
            throw new IllegalArgumentException("shard count must be 1.." + ShardIdentity.MAX_SHARDS + ": " + count);
        }
        byte[] d = dev.attest.core.DigestAlgorithm.SHA_256.newMessageDigest()
                .digest(device.getBytes(StandardCharsets.UTF_8));
        long first = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            first = (first << 8) | (d[i] & 0xff);
        }
        return (int) Long.remainderUnsigned(first, count);
    }

    /**
     * The shard of {@code device} in this store.
     *
     * @param device the device id
     * @return the shard's index in the list this store was opened with
     */
    public int shardOf(String device) {
        return shardOf(device, shards.size());
    }

    /**
     * The partition map's id this store was opened with.
     *
     * @return the map id
     */
    public String partitionMap() {
        return partitionMap;
    }

    /**
     * How many shards this store routes to.
     *
     * @return the number of shards
     */
    public int shardCount() {
        return shards.size();
    }

    private DeviceStateStore route(String device) {
        return shards.get(shardOf(device));
    }

    @Override
    public Optional<DeviceState> get(String device) {
        return route(device).get(device);
    }

    @Override
    public boolean compareAndSet(String device, Optional<DeviceState> expected, DeviceState next) {
        return route(device).compareAndSet(device, expected, next);
    }

    @Override
    public boolean useNonce(String device, byte[] nonce, Duration ttl) {
        return route(device).useNonce(device, nonce, ttl);
    }

    @Override
    public Optional<byte[]> appraiserState(String device, String appraiser) {
        return route(device).appraiserState(device, appraiser);
    }

    @Override
    public boolean compareAndSetAppraiserState(String device, String appraiser, Optional<byte[]> expected, byte[] next) {
        return route(device).compareAndSetAppraiserState(device, appraiser, expected, next);
    }

    /**
     * Refused: a partitioned store is not a shard of another.
     *
     * @param shard ignored
     * @return never
     * @throws UnsupportedOperationException always
     */
    @Override
    public ShardIdentity claimShard(ShardIdentity shard) {
        throw new UnsupportedOperationException("a partitioned store cannot be a shard");
    }

    /**
     * Closes every shard that is {@link AutoCloseable} (a {@link JdbcDeviceStateStore} closes the
     * pool it opened); the first failure is thrown after all were tried, the others suppressed.
     *
     * @throws StateStoreException {@code UNAVAILABLE} if a shard failed to close, naming it
     */
    @Override
    public void close() {
        StateStoreException failure = null;
        for (int i = 0; i < shards.size(); i++) {
            if (shards.get(i) instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    StateStoreException x = new StateStoreException(StateStoreException.Reason.UNAVAILABLE, i,
                            "closing the shard failed: " + e.getClass().getSimpleName(), e);
                    if (failure == null) {
                        failure = x;
                    } else {
                        failure.addSuppressed(x);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The map id and the shard count; never the shards' URLs. */
    @Override
    public String toString() {
        return "PartitionedDeviceStateStore[" + partitionMap + ", " + shards.size() + " shards]";
    }
}
