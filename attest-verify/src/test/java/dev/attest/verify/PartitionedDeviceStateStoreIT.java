package dev.attest.verify;

import static dev.attest.verify.PartitionedDeviceStateStoreTest.assertMismatch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.VerificationKey;
import dev.attest.verify.ear.TrustTier;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PartitionedDeviceStateStore} over {@link JdbcDeviceStateStore}s on the real PostgreSQL
 * ({@link PostgresTestDatabase}), each shard a schema of its own (the test role may create
 * schemas, not databases; a schema is what the store sees of a database): the store contract,
 * the routing against PostgreSQL's own SHA-256, each device's rows in its shard only, a replay
 * refused across two verifiers sharing the shards, a changed list refused at start, and one
 * acceptance per sequence from eight threads (through one verifier, and through two).
 */
class PartitionedDeviceStateStoreIT extends DeviceStateStoreContract {
    private static final String MAP = "it-map";
    private final PostgresTestDatabase db = new PostgresTestDatabase();
    private final List<JdbcDeviceStateStore> opened = new ArrayList<>();

    @BeforeEach
    void requirePostgres() {
        PostgresTestDatabase.url();
    }

    @AfterEach
    void dropSchemas() throws SQLException {
        opened.forEach(JdbcDeviceStateStore::close);
        db.dropSchemas();
    }

    private JdbcDeviceStateStore open(String url) {
        JdbcDeviceStateStore s = JdbcDeviceStateStore.open(url);
        opened.add(s);
        return s;
    }

    private List<JdbcDeviceStateStore> openAll(List<String> urls) {
        return urls.stream().map(this::open).toList();
    }

    private List<String> freshShards(int n) throws SQLException {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            urls.add(db.freshSchemaUrl());
        }
        return urls;
    }

    @Override
    DeviceStateStore store() {
        try {
            return PartitionedDeviceStateStore.open(MAP, openAll(freshShards(2)));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SQL of the class comment, which a re-partitioning migration uses, agrees with the Java routing. */
    @Test
    void routingAgreesWithPostgresSha256() throws SQLException {
        List<String> devices = new ArrayList<>(List.of("\u010didlo-\u00fc-7", "gateway-17", "x"));
        for (int d = 0; d < 300; d++) {
            devices.add("device-" + d);
        }
        try (Connection c = DriverManager.getConnection(PostgresTestDatabase.url());
                PreparedStatement s = c.prepareStatement("SELECT mod(('x' || left(encode(sha256(convert_to(?, 'UTF8')), "
                        + "'hex'), 16))::bit(64)::bigint::numeric + 18446744073709551616, 18446744073709551616) % ?")) {
            for (int n : new int[] {2, 3, 7, 1000}) {
                for (String d : devices) {
                    s.setString(1, d);
                    s.setInt(2, n);
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        assertEquals(r.getInt(1), PartitionedDeviceStateStore.shardOf(d, n), d + " of " + n);
                    }
                }
            }
        }
    }

    @Test
    void eachDevicesStateIsInItsShardOnly() throws SQLException {
        List<String> urls = freshShards(3);
        PartitionedDeviceStateStore s = PartitionedDeviceStateStore.open(MAP, openAll(urls));
        Map<String, Integer> home = new HashMap<>();
        for (int d = 0; d < 150; d++) {
            String device = "device-" + d;
            home.put(device, s.shardOf(device));
            assertTrue(s.compareAndSet(device, Optional.empty(), state(d, "boot-1", T0)));
            assertTrue(s.useNonce(device, bytes("nonce-of-" + d), Duration.ofMinutes(5)));
            assertTrue(s.compareAndSetAppraiserState(device, "tpm", Optional.empty(), bytes("tpm-" + d)));
        }
        for (int i = 0; i < urls.size(); i++) {
            int shard = i;
            long expected = home.values().stream().filter(h -> h == shard).count();
            assertTrue(expected > 25, "shard " + i + " holds " + expected + " of 150");
            for (String table : List.of("attest_device_state", "attest_nonce", "attest_appraiser_state")) {
                assertEquals(expected, JdbcDeviceStateStoreContract.count(urls.get(i), "SELECT COUNT(*) FROM " + table),
                        table + " of shard " + i);
            }
            try (Connection c = DriverManager.getConnection(urls.get(i));
                    ResultSet r = c.createStatement().executeQuery("SELECT device FROM attest_device_state")) {
                while (r.next()) {
                    assertEquals(i, home.get(r.getString(1)), r.getString(1) + " found in shard " + i);
                }
            }
            assertEquals(1, JdbcDeviceStateStoreContract.count(urls.get(i), "SELECT COUNT(*) FROM attest_shard WHERE "
                    + "partition_map = '" + MAP + "' AND shard_index = " + i + " AND shard_count = 3 AND routing = '"
                    + PartitionedDeviceStateStore.ROUTING + "'"));
        }
    }

    /**
     * Two verifiers (replicas), each with its own stores on the same two shards: evidence one
     * accepted accepts nowhere again, for devices in either shard, and each goes on where the other
     * stopped.
     */
    @Test
    void aReplayIsRefusedAcrossVerifiersSharingTheShards() throws Exception {
        List<String> urls = freshShards(2);
        List<TestDevice> devices = new ArrayList<>();
        Map<String, VerificationKey> keys = new HashMap<>();
        boolean[] shardUsed = new boolean[2];
        for (int d = 0; d < 6; d++) {
            TestDevice device = new TestDevice("device-" + d);
            devices.add(device);
            keys.put(device.id, device.publicKey());
            shardUsed[PartitionedDeviceStateStore.shardOf(device.id, 2)] = true;
        }
        assertTrue(shardUsed[0] && shardUsed[1], "the devices span both shards");
        Verifier a = verifier(keys, PartitionedDeviceStateStore.open(MAP, openAll(urls)));
        Verifier b = verifier(keys, PartitionedDeviceStateStore.open(MAP, openAll(urls)));
        String affirming = TrustTier.AFFIRMING.jsonName() + " []";
        String replay = TrustTier.CONTRAINDICATED.jsonName() + " [" + Checks.REPLAY + "]";
        for (TestDevice device : devices) {
            byte[] first = device.evidence();
            byte[] second = device.evidence();
            assertEquals(affirming, Fleet.outcome(a.appraise(first, AppraisalContext.periodic())), device.id);
            assertEquals(replay, Fleet.outcome(b.appraise(first, AppraisalContext.periodic())), device.id);
            assertEquals(affirming, Fleet.outcome(b.appraise(second, AppraisalContext.periodic())), device.id);
            assertEquals(replay, Fleet.outcome(a.appraise(second, AppraisalContext.periodic())), device.id);
            assertEquals(replay, Fleet.outcome(a.appraise(first, AppraisalContext.periodic())), device.id);
        }
        // Each device's next token from eight threads at once, half through each verifier: one acceptance.
        for (TestDevice device : devices) {
            byte[] token = device.evidence();
            List<String> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
            race(t -> outcomes.add(Fleet.outcome((t % 2 == 0 ? a : b).appraise(token, AppraisalContext.periodic()))));
            assertEquals(1, outcomes.stream().filter(affirming::equals).count(), device.id + ": " + outcomes);
            assertEquals(7, outcomes.stream().filter(replay::equals).count(), device.id + ": " + outcomes);
        }
    }

    private static Verifier verifier(Map<String, VerificationKey> keys, DeviceStateStore store) throws Exception {
        TestDevice golden = new TestDevice("golden");
        ReferenceValues refs = ReferenceValues.capture(EvidenceDecoder.builder(KeyResolver.single(golden.publicKey()))
                .build().decode(golden.evidence()).claims());
        return Verifier.builder().trustAnchors(TrustAnchors.pinned(keys)).referenceValues(refs).stateStore(store)
                .clock(Clock.fixed(Instant.parse("2026-11-25T12:00:30Z"), ZoneOffset.UTC)).build();
    }

    /**
     * What a changed list would do without the identity check, shown first: a device whose state
     * is in shard 1, looked up in shard 0, has no state there. Then every change is refused at
     * start, naming the shard, and a shard's database opened on its own refuses to be used.
     */
    @Test
    void aChangedListOfShardsIsRefusedAtStart() throws Exception {
        List<String> urls = freshShards(3);
        String a = urls.get(0);
        String b = urls.get(1);
        String fresh = urls.get(2);
        PartitionedDeviceStateStore first = PartitionedDeviceStateStore.open(MAP, openAll(List.of(a, b)));
        String device = "device-00042";
        assertEquals(1, first.shardOf(device));
        assertTrue(first.compareAndSet(device, Optional.empty(), state(7, "boot-1", T0)));
        assertEquals(Optional.empty(), open(fresh).get(device), "the state is in shard 1 only");
        assertMismatch(0, () -> PartitionedDeviceStateStore.open(MAP, openAll(List.of(b, a))));
        assertMismatch(0, () -> PartitionedDeviceStateStore.open("other-map", openAll(List.of(a, b))));
        assertMismatch(0, () -> PartitionedDeviceStateStore.open(MAP, openAll(List.of(a, b, fresh))));
        assertMismatch(0, () -> PartitionedDeviceStateStore.open(MAP, openAll(List.of(fresh, b))));
        assertMismatch(1, () -> PartitionedDeviceStateStore.open(MAP, openAll(List.of(a, fresh))));
        assertEquals(0, JdbcDeviceStateStoreContract.count(fresh, "SELECT COUNT(*) FROM attest_shard"),
                "a refused list records nothing");
        // A shard's database opened alone (a replica configured with one database) is refused.
        JdbcDeviceStateStore alone = open(b);
        StateStoreException e = org.junit.jupiter.api.Assertions.assertThrows(StateStoreException.class,
                () -> alone.get(device));
        assertEquals(StateStoreException.Reason.PARTITION_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("shard 1 of 2 in map " + MAP), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(StateStoreException.class,
                () -> alone.compareAndSet(device, Optional.empty(), state(1, "boot-1", T0)));
        // The right list, opened again, still works and sees the state.
        PartitionedDeviceStateStore again = PartitionedDeviceStateStore.open(MAP, openAll(List.of(a, b)));
        assertEquals(7, again.get(device).orElseThrow().head().sequence());
        // A database holding state from before partitioning cannot become one of two shards.
        String old = db.freshSchemaUrl();
        assertTrue(open(old).compareAndSet("dev-1", Optional.empty(), state(1, "boot-1", T0)));
        assertMismatch(1, () -> PartitionedDeviceStateStore.open("new-map", openAll(List.of(db.freshSchemaUrl(), old))));
    }

    /** The same token from eight threads through one verifier's partitioned store, round after round: accepted once each. */
    @Test
    void theSameTokenFromEightThreadsIsAcceptedOnce() throws Exception {
        SameTokenRace.run(PartitionedDeviceStateStore.open(MAP, openAll(freshShards(2))), 20);
    }
}
