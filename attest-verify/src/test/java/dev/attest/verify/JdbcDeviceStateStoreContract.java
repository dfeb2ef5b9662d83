package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store contract plus what only a database store has: schema migration (idempotent, safe
 * when replicas open at once, refusing a newer schema), state shared by two stores on one
 * database, and nonce expiry. Subclasses name a fresh, empty database per call of {@link #freshUrl}.
 */
abstract class JdbcDeviceStateStoreContract extends DeviceStateStoreContract {
    final MutableClock clock = new MutableClock(T0);
    private final List<JdbcDeviceStateStore> opened = new ArrayList<>();

    /** A JDBC URL (with credentials) of an empty database or schema. */
    abstract String freshUrl() throws SQLException;

    JdbcDeviceStateStore open(String url) {
        JdbcDeviceStateStore s = JdbcDeviceStateStore.open(url, null, null, clock);
        synchronized (opened) {
            opened.add(s);
        }
        return s;
    }

    @Override
    DeviceStateStore store() {
        try {
            return open(freshUrl());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void closeStores() {
        opened.forEach(JdbcDeviceStateStore::close);
    }

    static int count(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        }
    }

    static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void migrationIsIdempotentAndStateOutlivesTheStore() throws Exception {
        String url = freshUrl();
        JdbcDeviceStateStore first = open(url);
        assertEquals(JdbcDeviceStateStore.SCHEMA_VERSION, first.schemaVersion());
        assertTrue(first.compareAndSetAppraiserState("dev-1", "tpm", Optional.empty(), new byte[] {1, 2, 3}));
        DeviceState s1 = state(7, "boot-1", T0);
        assertTrue(first.compareAndSet("dev-1", Optional.empty(), s1));
        assertTrue(first.useNonce("dev-1", new byte[16], Duration.ofMinutes(5)));
        first.close();
        JdbcDeviceStateStore second = open(url);
        JdbcDeviceStateStore third = open(url);
        assertEquals(JdbcDeviceStateStore.SCHEMA_VERSION, third.schemaVersion());
        assertEquals(JdbcDeviceStateStore.SCHEMA_VERSION, count(url, "SELECT COUNT(*) FROM attest_schema_version"));
        assertEquals(Optional.of(s1), second.get("dev-1"));
        assertArrayEquals(new byte[] {1, 2, 3}, third.appraiserState("dev-1", "tpm").orElseThrow());
        assertFalse(third.compareAndSetAppraiserState("dev-1", "tpm", Optional.empty(), new byte[] {4}));
        assertFalse(third.useNonce("dev-1", new byte[16], Duration.ofMinutes(5)));
        // Two stores on one database see each other's swaps (two verifier replicas).
        DeviceState s2 = state(8, "boot-1", T0.plusSeconds(1));
        assertTrue(second.compareAndSet("dev-1", Optional.of(s1), s2));
        assertFalse(third.compareAndSet("dev-1", Optional.of(s1), state(8, "boot-1", T0.plusSeconds(2))));
        assertEquals(Optional.of(s2), third.get("dev-1"));
    }

    @Test
    void replicasOpeningAtOnceMigrateOnce() throws Exception {
        String url = freshUrl();
        List<Boolean> ok = race(i -> open(url).schemaVersion() == JdbcDeviceStateStore.SCHEMA_VERSION);
        assertEquals(List.of(true, true, true, true, true, true, true, true), ok);
        assertEquals(JdbcDeviceStateStore.SCHEMA_VERSION, count(url, "SELECT COUNT(*) FROM attest_schema_version"));
    }

    /** Schema version 1 exactly as the code before version 2 created it, with data in it. */
    static void createVersion1(String url) throws SQLException {
        execute(url, "CREATE TABLE attest_schema_version (schema_version INTEGER NOT NULL PRIMARY KEY, "
                + "applied_ms BIGINT NOT NULL)");
        execute(url, "CREATE TABLE attest_device_state (device VARCHAR(512) NOT NULL PRIMARY KEY, "
                + "log_sequence BIGINT NOT NULL, log_head VARCHAR(160) NOT NULL, boot_id VARCHAR(128) NOT NULL, "
                + "appraised_s BIGINT NOT NULL, appraised_ns INTEGER NOT NULL)");
        execute(url, "CREATE TABLE attest_nonce (device VARCHAR(512) NOT NULL, nonce_sha256 CHAR(64) NOT NULL, "
                + "expires_ms BIGINT NOT NULL, PRIMARY KEY (device, nonce_sha256))");
        execute(url, "CREATE INDEX attest_nonce_expiry ON attest_nonce (expires_ms)");
        execute(url, "INSERT INTO attest_schema_version (schema_version, applied_ms) VALUES (1, 0)");
    }

    @Test
    void version1DatabaseIsMigratedToVersion2KeepingItsData() throws Exception {
        String url = freshUrl();
        createVersion1(url);
        DeviceState s1 = state(41, "boot-7", T0);
        execute(url, "INSERT INTO attest_device_state (device, log_sequence, log_head, boot_id, appraised_s, "
                + "appraised_ns) VALUES ('dev-1', 41, '" + s1.head().head() + "', 'boot-7', "
                + T0.getEpochSecond() + ", " + T0.getNano() + ")");
        JdbcDeviceStateStore s = open(url);
        assertTrue(s.useNonce("dev-1", new byte[16], Duration.ofMinutes(5)));
        execute(url, "INSERT INTO attest_nonce (device, nonce_sha256, expires_ms) VALUES ('dev-1', '"
                + "0".repeat(64) + "', " + Long.MAX_VALUE + ")");
        assertEquals(JdbcDeviceStateStore.SCHEMA_VERSION, s.schemaVersion());
        assertEquals(JdbcDeviceStateStore.SCHEMA_VERSION, count(url, "SELECT COUNT(*) FROM attest_schema_version"));
        assertEquals(1, count(url, "SELECT COUNT(*) FROM attest_schema_version WHERE schema_version = 1 "
                + "AND applied_ms = 0"), "version 1's row is kept");
        assertEquals(Optional.of(s1), s.get("dev-1"));
        assertFalse(s.useNonce("dev-1", new byte[16], Duration.ofMinutes(5)));
        assertEquals(Optional.empty(), s.appraiserState("dev-1", "tpm"));
        assertTrue(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.empty(), new byte[] {9}));
        assertTrue(s.compareAndSet("dev-1", Optional.of(s1), state(42, "boot-7", T0)));
        // Opening the migrated database again changes nothing.
        JdbcDeviceStateStore again = open(url);
        assertEquals(JdbcDeviceStateStore.SCHEMA_VERSION, count(url, "SELECT COUNT(*) FROM attest_schema_version"));
        assertArrayEquals(new byte[] {9}, again.appraiserState("dev-1", "tpm").orElseThrow());
        assertEquals(42, again.get("dev-1").orElseThrow().head().sequence());
    }

    /**
     * A database records the first shard identity claimed, answers it to every later claim, and
     * refuses every use to a store object not claimed with exactly it; a database with state and
     * no identity becomes only the single shard of a map.
     */
    @Test
    void aShardRecordsItsIdentityOnce() throws Exception {
        String url = freshUrl();
        JdbcDeviceStateStore s = open(url);
        assertEquals(Optional.empty(), s.shardIdentity());
        ShardIdentity one = new ShardIdentity("fleet-1", 1, 2);
        assertEquals(one, s.claimShard(one));
        assertEquals(one, s.claimShard(one));
        assertTrue(s.compareAndSet("dev-1", Optional.empty(), state(1, "boot-1", T0)));
        JdbcDeviceStateStore other = open(url);
        assertEquals(Optional.of(one), other.shardIdentity());
        assertEquals(one, other.claimShard(new ShardIdentity("fleet-1", 0, 2)));
        for (org.junit.jupiter.api.function.Executable use : List.<org.junit.jupiter.api.function.Executable>of(
                () -> other.get("dev-1"), () -> other.compareAndSet("dev-1", Optional.empty(), state(1, "boot-1", T0)),
                () -> other.useNonce("dev-1", new byte[16], Duration.ofMinutes(1)),
                () -> other.appraiserState("dev-1", "tpm"),
                () -> other.compareAndSetAppraiserState("dev-1", "tpm", Optional.empty(), new byte[1]))) {
            StateStoreException e = assertThrows(StateStoreException.class, use);
            assertEquals(StateStoreException.Reason.PARTITION_MISMATCH, e.reason());
            assertTrue(e.getMessage().contains("shard 1 of 2 in map fleet-1"), e.getMessage());
        }
        assertEquals(one, other.claimShard(one));
        assertEquals(1, other.get("dev-1").orElseThrow().head().sequence());
        assertEquals(1, count(url, "SELECT COUNT(*) FROM attest_shard"));
        String old = freshUrl();
        JdbcDeviceStateStore unpartitioned = open(old);
        assertTrue(unpartitioned.useNonce("dev-1", new byte[16], Duration.ofMinutes(1)));
        StateStoreException e = assertThrows(StateStoreException.class,
                () -> unpartitioned.claimShard(new ShardIdentity("fleet-2", 0, 2)));
        assertEquals(StateStoreException.Reason.PARTITION_MISMATCH, e.reason());
        assertEquals(0, count(old, "SELECT COUNT(*) FROM attest_shard"));
        ShardIdentity single = new ShardIdentity("fleet-2", 0, 1);
        assertEquals(single, unpartitioned.claimShard(single));
        // A row written under another routing function is not an identity this code routes by.
        execute(old, "UPDATE attest_shard SET routing = 'crc32-mod'");
        e = assertThrows(StateStoreException.class, unpartitioned::shardIdentity);
        assertEquals(StateStoreException.Reason.PARTITION_MISMATCH, e.reason());
    }

    @Test
    void newerSchemaIsRefused() throws Exception {
        String url = freshUrl();
        open(url).close();
        execute(url, "INSERT INTO attest_schema_version (schema_version, applied_ms) VALUES (" + (JdbcDeviceStateStore.SCHEMA_VERSION + 1) + ", 0)");
        StateStoreException e = assertThrows(StateStoreException.class, () -> open(url));
        assertEquals(StateStoreException.Reason.SCHEMA_TOO_NEW, e.reason());
    }

    @Test
    void unreachableDatabaseIsUnavailableNotAnSqlException() throws Exception {
        String url = freshUrl();
        JdbcDeviceStateStore s = open(url);
        execute(url, "DROP TABLE attest_device_state");
        StateStoreException e = assertThrows(StateStoreException.class, () -> s.get("dev-1"));
        assertEquals(StateStoreException.Reason.UNAVAILABLE, e.reason());
        assertFalse(s.toString().contains("password"), s.toString());
    }

    @Test
    void nonceIsForgottenOnlyAfterItsTtl() throws Exception {
        String url = freshUrl();
        JdbcDeviceStateStore s = open(url);
        byte[] n = "nonce-expiring-1".getBytes(StandardCharsets.US_ASCII);
        assertTrue(s.useNonce("dev-1", n, Duration.ofMinutes(10)));
        assertTrue(s.useNonce("dev-1", new byte[] {1}, Duration.ofMinutes(30)));
        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        assertFalse(s.useNonce("dev-1", n, Duration.ofMinutes(10)));
        assertEquals(0, s.purgeExpiredNonces());
        clock.advance(Duration.ofMillis(1));
        assertEquals(1, s.purgeExpiredNonces());
        assertEquals(1, count(url, "SELECT COUNT(*) FROM attest_nonce"));
        assertTrue(s.useNonce("dev-1", n, Duration.ofMinutes(10)));
        assertFalse(s.useNonce("dev-1", n, Duration.ofMinutes(10)));
        // Expired but not yet purged: forgotten all the same, and only one of eight reuses wins.
        clock.advance(Duration.ofMinutes(11));
        List<Boolean> won = race(i -> s.useNonce("dev-1", n, Duration.ofMinutes(10)));
        assertEquals(1, won.stream().filter(b -> b).count(), won.toString());
    }

    /**
     * Holds the store's committer in a swap of {@code blocker} whose row {@code lock} has locked
     * (the caller then queues more swaps behind it); returns that swap's outcome.
     */
    static Future<Boolean> holdCommitter(JdbcDeviceStateStore s, Connection lock, ExecutorService threads,
            DeviceState a0, DeviceState a1) throws Exception {
        lock.setAutoCommit(false);
        try (Statement q = lock.createStatement()) {
            q.executeQuery("SELECT log_sequence FROM attest_device_state WHERE device = 'blocker' FOR UPDATE").close();
        }
        Future<Boolean> blocked = threads.submit(() -> s.compareAndSet("blocker", Optional.of(a0), a1));
        awaitTrue(() -> s.committing() && s.queuedSwaps() == 0);
        return blocked;
    }

    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 20 s");
            }
            Thread.sleep(5);
        }
    }

    @Test
    void conflictingRowsInAGroupCommitFailOnlyTheirOwnSwaps() throws Exception {
        String url = freshUrl();
        JdbcDeviceStateStore s = open(url);
        DeviceState a0 = state(1, "boot-1", T0);
        DeviceState a1 = state(2, "boot-1", T0.plusSeconds(1));
        for (String d : List.of("blocker", "dev-1", "dev-2", "dev-3")) {
            assertTrue(s.compareAndSet(d, Optional.empty(), a0));
        }
        ExecutorService threads = Executors.newFixedThreadPool(5);
        try (Connection lock = DriverManager.getConnection(url)) {
            Future<Boolean> blocked = holdCommitter(s, lock, threads, a0, a1);
            List<Future<Boolean>> group = new ArrayList<>();
            group.add(threads.submit(() -> s.compareAndSet("dev-1", Optional.of(a0), a1)));
            // Stale expectation: the row holds a0.
            group.add(threads.submit(() -> s.compareAndSet("dev-2", Optional.of(state(0, "boot-1", T0)), a1)));
            // Insert of a device that has a state already.
            group.add(threads.submit(() -> s.compareAndSet("dev-3", Optional.empty(), a1)));
            group.add(threads.submit(() -> s.compareAndSet("dev-4", Optional.empty(), a1)));
            awaitTrue(() -> s.queuedSwaps() == 4);
            long before = s.groupCommits();
            lock.rollback();
            assertTrue(blocked.get(20, TimeUnit.SECONDS));
            List<Boolean> outcomes = new ArrayList<>();
            for (Future<Boolean> f : group) {
                outcomes.add(f.get(20, TimeUnit.SECONDS));
            }
            assertEquals(List.of(true, false, false, true), outcomes);
            // PostgreSQL reports the conflicting insert as 0 rows, so the four went in one
            // transaction; H2 raises it as an error, the group is rolled back and each swap
            // retried on its own, with the same outcomes.
            assertEquals(before + (s.toString().contains("PostgreSQL") ? 1 : 0), s.groupCommits());
        } finally {
            threads.shutdownNow();
        }
        assertEquals(Optional.of(a1), s.get("dev-1"));
        assertEquals(Optional.of(a0), s.get("dev-2"));
        assertEquals(Optional.of(a0), s.get("dev-3"));
        assertEquals(Optional.of(a1), s.get("dev-4"));
        assertEquals(Optional.of(a1), s.get("blocker"));
    }

    @Test
    void aGroupCommitsItsSwapsTogether() throws Exception {
        String url = freshUrl();
        JdbcDeviceStateStore s = open(url);
        DeviceState a0 = state(1, "boot-1", T0);
        DeviceState a1 = state(2, "boot-1", T0.plusSeconds(1));
        assertTrue(s.compareAndSet("blocker", Optional.empty(), a0));
        ExecutorService threads = Executors.newFixedThreadPool(10);
        try (Connection lock = DriverManager.getConnection(url)) {
            Future<Boolean> blocked = holdCommitter(s, lock, threads, a0, a1);
            List<Future<Boolean>> group = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String d = "dev-" + i;
                group.add(threads.submit(() -> s.compareAndSet(d, Optional.empty(), a0)));
            }
            // The same device twice: only one of the two inserts may win, in any order.
            awaitTrue(() -> s.queuedSwaps() == 8);
            Future<Boolean> again = threads.submit(() -> s.compareAndSet("dev-0", Optional.empty(), a1));
            awaitTrue(() -> s.queuedSwaps() == 9);
            long before = s.groupCommits();
            lock.rollback();
            assertTrue(blocked.get(20, TimeUnit.SECONDS));
            for (Future<Boolean> f : group) {
                assertTrue(f.get(20, TimeUnit.SECONDS));
            }
            assertFalse(again.get(20, TimeUnit.SECONDS));
            assertEquals(before + 1, s.groupCommits());
        } finally {
            threads.shutdownNow();
        }
        assertEquals(Optional.of(a0), s.get("dev-0"));
    }
}
