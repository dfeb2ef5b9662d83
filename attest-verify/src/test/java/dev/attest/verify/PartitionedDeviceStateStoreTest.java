package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a partitioned store over three in-memory shards, the routing function
 * against digests computed outside Java ({@code printf %s id | sha256sum}), and the identity
 * checks that refuse a changed list of shards. PostgreSQL: {@link PartitionedDeviceStateStoreIT}.
 */
class PartitionedDeviceStateStoreTest extends DeviceStateStoreContract {
    @Override
    DeviceStateStore store() {
        return PartitionedDeviceStateStore.open("test-map", List.of(DeviceStateStore.inMemory(),
                DeviceStateStore.inMemory(), DeviceStateStore.inMemory()));
    }

    /**
     * The first 8 bytes of each id's SHA-256 (coreutils {@code sha256sum}) as an unsigned number
     * modulo 2, 3, 7, 1000 and 4096 (Python's integers): {@code dev-1} 0388fb626ca89a12,
     * {@code gateway-17} 533a1918820867fc, {@code device-00042} 1f665eba04f0ac79,
     * {@code čidlo-ü-7} (UTF-8, top bit set) a8694209f4ef9018.
     */
    @Test
    void routingIsSha256OfTheUtf8IdModuloTheCount() {
        int[] counts = {2, 3, 7, 1000, 4096};
        assertShards("dev-1", counts, 0, 0, 6, 626, 2578);
        assertShards("gateway-17", counts, 0, 2, 2, 228, 2044);
        assertShards("device-00042", counts, 1, 2, 1, 585, 3193);
        assertShards("\u010didlo-\u00fc-7", counts, 0, 0, 6, 704, 24);
        assertEquals(0, PartitionedDeviceStateStore.shardOf("anything", 1));
        assertThrows(IllegalArgumentException.class, () -> PartitionedDeviceStateStore.shardOf("dev-1", 0));
        assertThrows(IllegalArgumentException.class, () -> PartitionedDeviceStateStore.shardOf("dev-1", 4097));
    }

    private static void assertShards(String device, int[] counts, int... shards) {
        for (int k = 0; k < counts.length; k++) {
            assertEquals(shards[k], PartitionedDeviceStateStore.shardOf(device, counts[k]), device + " of " + counts[k]);
        }
    }

    @Test
    void eachDeviceIsInItsOwnShardOnly() {
        List<DeviceStateStore> shards = List.of(DeviceStateStore.inMemory(), DeviceStateStore.inMemory(),
                DeviceStateStore.inMemory());
        PartitionedDeviceStateStore s = PartitionedDeviceStateStore.open("test-map", shards);
        int[] perShard = new int[3];
        for (int d = 0; d < 300; d++) {
            String device = "device-" + d;
            assertTrue(s.compareAndSet(device, Optional.empty(), state(d, "boot-1", T0)));
            int home = s.shardOf(device);
            perShard[home]++;
            for (int i = 0; i < 3; i++) {
                assertEquals(i == home, shards.get(i).get(device).isPresent(), device + " in shard " + i);
            }
        }
        for (int n : perShard) {
            assertTrue(n > 60, java.util.Arrays.toString(perShard));
        }
    }

    @Test
    void aChangedListOfShardsIsRefusedNamingTheShard() {
        DeviceStateStore a = DeviceStateStore.inMemory();
        DeviceStateStore b = DeviceStateStore.inMemory();
        PartitionedDeviceStateStore.open("fleet-1", List.of(a, b));
        assertEquals(Optional.of(new ShardIdentity("fleet-1", 1, 2)), b.shardIdentity());
        PartitionedDeviceStateStore.open("fleet-1", List.of(a, b));
        assertMismatch(0, () -> PartitionedDeviceStateStore.open("fleet-1", List.of(b, a)));
        assertMismatch(0, () -> PartitionedDeviceStateStore.open("fleet-2", List.of(a, b)));
        assertMismatch(0, () -> PartitionedDeviceStateStore.open("fleet-1", List.of(a, b, DeviceStateStore.inMemory())));
        assertMismatch(0, () -> PartitionedDeviceStateStore.open("fleet-1", List.of(a)));
        DeviceStateStore empty = DeviceStateStore.inMemory();
        // An empty store in shard 0's place, shard 1 still recording its identity.
        assertMismatch(0, () -> PartitionedDeviceStateStore.open("fleet-1", List.of(empty, b)));
        assertEquals(Optional.empty(), empty.shardIdentity(), "a refused list records nothing");
        assertMismatch(1, () -> PartitionedDeviceStateStore.open("fleet-1", List.of(a, empty)));
        // A store holding state from before partitioning may be the only shard, not one of two.
        DeviceStateStore old = DeviceStateStore.inMemory();
        assertTrue(old.compareAndSet("dev-1", Optional.empty(), state(1, "boot-1", T0)));
        assertMismatch(1, () -> PartitionedDeviceStateStore.open("fleet-3", List.of(DeviceStateStore.inMemory(), old)));
        PartitionedDeviceStateStore single = PartitionedDeviceStateStore.open("fleet-4", List.of(old));
        assertEquals(1, single.get("dev-1").orElseThrow().head().sequence());
    }

    @Test
    void badListsAreMisuse() {
        DeviceStateStore a = DeviceStateStore.inMemory();
        assertThrows(IllegalArgumentException.class, () -> PartitionedDeviceStateStore.open("fleet-1", List.of()));
        assertThrows(IllegalArgumentException.class, () -> PartitionedDeviceStateStore.open("fleet-1", List.of(a, a)));
        assertThrows(IllegalArgumentException.class, () -> PartitionedDeviceStateStore.open("Fleet 1", List.of(a)));
        assertEquals(Optional.empty(), a.shardIdentity());
        PartitionedDeviceStateStore p = PartitionedDeviceStateStore.open("fleet-1", List.of(a));
        assertEquals("PartitionedDeviceStateStore[fleet-1, 1 shards]", p.toString());
        assertThrows(UnsupportedOperationException.class,
                () -> PartitionedDeviceStateStore.open("fleet-2", List.of(p, DeviceStateStore.inMemory())));
        assertThrows(IllegalArgumentException.class, () -> new ShardIdentity("m", 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new ShardIdentity("m", -1, 2));
        assertThrows(IllegalArgumentException.class, () -> new ShardIdentity("m", 0, 4097));
        assertThrows(IllegalArgumentException.class, () -> new ShardIdentity("m".repeat(65), 0, 1));
        assertEquals("shard 1 of 2 in map fleet-1", new ShardIdentity("fleet-1", 1, 2).toString());
    }

    static void assertMismatch(int shard, org.junit.jupiter.api.function.Executable open) {
        StateStoreException e = assertThrows(StateStoreException.class, open);
        assertEquals(StateStoreException.Reason.PARTITION_MISMATCH, e.reason(), e.getMessage());
        assertEquals(OptionalInt.of(shard), e.shard(), e.getMessage());
    }
}
