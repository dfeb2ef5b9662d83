package dev.attest.verify;

import java.util.Objects;

/**
 * Which part of a partitioned device state a store holds ({@link PartitionedDeviceStateStore}):
 * shard {@code index} of {@code count} in the partition map named {@code partitionMap}. A store
 * records it on first use ({@link DeviceStateStore#claimShard}) and is refused afterwards under
 * any other identity, so that a changed list of shards (one added, removed or moved) cannot make
 * a device's state be looked up in a shard that never held it.
 *
 * @param partitionMap the partition map's id: 1 to {@value #MAX_MAP_ID_LENGTH} characters of
 *     {@code [a-z0-9.-]}, chosen by the deployment and changed whenever the shards are re-partitioned
 * @param index the shard's place in the map, {@code 0 <= index < count}
 * @param count how many shards the map has, 1 to {@value #MAX_SHARDS}
 */
public record ShardIdentity(String partitionMap, int index, int count) {
    /** The most shards a partition map has. */
    public static final int MAX_SHARDS = 4096;
    /** The longest partition map id. */
    public static final int MAX_MAP_ID_LENGTH = 64;

    /**
     * Validates the parts.
     *
     * @param partitionMap the partition map's id
     * @param index the shard's place in the map
     * @param count how many shards the map has
     * @throws IllegalArgumentException if the id is not 1 to {@value #MAX_MAP_ID_LENGTH}
     *     characters of {@code [a-z0-9.-]}, the count not 1 to {@value #MAX_SHARDS}, or the index
     *     not in {@code [0, count)}
     */
    public ShardIdentity {
        Objects.requireNonNull(partitionMap, "partitionMap");
        boolean ok = !partitionMap.isEmpty() && partitionMap.length() <= MAX_MAP_ID_LENGTH;
        for (int i = 0; ok && i < partitionMap.length(); i++) {
            char c = partitionMap.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
        }
        if (!ok) {
            throw new IllegalArgumentException("partition map id must be 1.." + MAX_MAP_ID_LENGTH
                    + " characters of [a-z0-9.-]");
        }
        if (count < 1 || count > MAX_SHARDS) {
            throw new IllegalArgumentException("shard count must be 1.." + MAX_SHARDS + ": " + count);
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("shard index must be 0.." + (count - 1) + ": " + index);
        }
    }

    /** For messages: {@code shard 1 of 2 in map fleet-1}. */
    @Override
    public String toString() {
        return "shard " + index + " of " + count + " in map " + partitionMap;
    }
}
