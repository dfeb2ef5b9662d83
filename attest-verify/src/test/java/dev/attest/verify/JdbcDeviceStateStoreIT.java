package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JDBC store contract on a real PostgreSQL server ({@code ATTEST_TEST_JDBC_URL}; see
 * {@link PostgresTestDatabase}), each test in a fresh schema.
 */
class JdbcDeviceStateStoreIT extends JdbcDeviceStateStoreContract {
    private final PostgresTestDatabase db = new PostgresTestDatabase();

    @BeforeEach
    void requirePostgres() {
        PostgresTestDatabase.url();
    }

    @Override
    String freshUrl() throws SQLException {
        return db.freshSchemaUrl();
    }

    @AfterEach
    void dropSchemas() throws SQLException {
        closeStores();
        db.dropSchemas();
    }

    @Test
    void reallyPostgres() {
        JdbcDeviceStateStore s = (JdbcDeviceStateStore) store();
        assertTrue(s.toString().startsWith("JdbcDeviceStateStore[PostgreSQL 1"), s.toString());
    }

    /**
     * A group commit that fails after some of its rows were written (the server ends its
     * connection while it waits for a row lock) fails every swap in it with a store error and
     * leaves every row as it was; the store goes on afterwards on a fresh connection.
     */
    @Test
    void aFailedGroupCommitFailsEveryWaiterAndChangesNothing() throws Exception {
        String url = freshUrl();
        JdbcDeviceStateStore s = open(url);
        DeviceState a0 = state(1, "boot-1", T0);
        DeviceState a1 = state(2, "boot-1", T0.plusSeconds(1));
        List<String> devices = List.of("dev-1", "dev-2", "dev-3", "dev-4");
        for (String d : List.of("blocker", "dev-1", "dev-2", "dev-3", "dev-4")) {
            assertTrue(s.compareAndSet(d, Optional.empty(), a0));
        }
        ExecutorService threads = Executors.newFixedThreadPool(5);
        try (Connection lock = DriverManager.getConnection(url); Connection rowLock = DriverManager.getConnection(url);
                Statement q = rowLock.createStatement()) {
            rowLock.setAutoCommit(false);
            q.executeQuery("SELECT log_sequence FROM attest_device_state WHERE device = 'dev-3' FOR UPDATE").close();
            int rowLockPid = pid(rowLock);
            Future<Boolean> blocked = holdCommitter(s, lock, threads, a0, a1);
            List<Future<Boolean>> group = new ArrayList<>();
            for (String d : devices) {
                group.add(threads.submit(() -> s.compareAndSet(d, Optional.of(a0), a1)));
            }
            awaitTrue(() -> s.queuedSwaps() == 4);
            lock.rollback();
            assertTrue(blocked.get(20, TimeUnit.SECONDS));
            // The group has updated dev-1 and dev-2 and waits for dev-3: end its connection.
            int[] waiter = {0};
            awaitTrue(() -> (waiter[0] = blockedBy(url, rowLockPid)) != 0);
            try (Connection admin = DriverManager.getConnection(url); Statement k = admin.createStatement()) {
                k.executeQuery("SELECT pg_terminate_backend(" + waiter[0] + ")").close();
            }
            for (Future<Boolean> f : group) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
                StateStoreException cause = assertInstanceOf(StateStoreException.class, e.getCause());
                assertEquals(StateStoreException.Reason.UNAVAILABLE, cause.reason());
            }
            rowLock.rollback();
        } finally {
            threads.shutdownNow();
        }
        for (String d : devices) {
            assertEquals(Optional.of(a0), s.get(d), d);
        }
        assertTrue(s.compareAndSet("dev-1", Optional.of(a0), a1));
        assertEquals(Optional.of(a1), s.get("dev-1"));
    }

    /**
     * Reads queued while a group read is running go together in the next one, each caller getting
     * its own device's state (or none), a device asked for twice answered twice; a read asked for
     * after a swap committed sees it.
     */
    @Test
    void concurrentReadsAreReadTogether() throws Exception {
        JdbcDeviceStateStore s = open(freshUrl());
        List<String> devices = List.of("dev-1", "dev-2", "dev-3", "dev-1", "absent");
        for (int i = 1; i <= 3; i++) {
            assertTrue(s.compareAndSet("dev-" + i, Optional.empty(), state(i, "boot-" + i, T0)));
        }
        ExecutorService threads = Executors.newFixedThreadPool(devices.size());
        List<Future<Optional<DeviceState>>> reads = new ArrayList<>();
        long before = s.groupReads();
        try {
            queueReadsBehindAHeldReader(s, devices, threads, reads);
            for (int k = 0; k < devices.size(); k++) {
                String d = devices.get(k);
                Optional<DeviceState> want = d.equals("absent") ? Optional.empty()
                        : Optional.of(state(d.charAt(4) - '0', "boot-" + d.charAt(4), T0));
                assertEquals(want, reads.get(k).get(20, TimeUnit.SECONDS), d);
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(before + 1, s.groupReads());
        assertEquals(0, s.queuedReads());
        DeviceState next = state(9, "boot-1", T0.plusSeconds(1));
        assertTrue(s.compareAndSet("dev-1", Optional.of(state(1, "boot-1", T0)), next));
        assertEquals(Optional.of(next), s.get("dev-1"));
    }

    @Test
    void anUndecodableRowFailsOnlyItsOwnDevicesReadInAGroup() throws Exception {
        String url = freshUrl();
        JdbcDeviceStateStore s = open(url);
        for (int i = 1; i <= 3; i++) {
            assertTrue(s.compareAndSet("dev-" + i, Optional.empty(), state(i, "boot-" + i, T0)));
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            assertEquals(1, st.executeUpdate("UPDATE attest_device_state SET log_head = 'not a digest' WHERE device = 'dev-2'"));
        }
        List<String> devices = List.of("dev-1", "dev-2", "dev-3");
        ExecutorService threads = Executors.newFixedThreadPool(devices.size());
        List<Future<Optional<DeviceState>>> reads = new ArrayList<>();
        long before = s.groupReads();
        try {
            queueReadsBehindAHeldReader(s, devices, threads, reads);
            assertEquals(Optional.of(state(1, "boot-1", T0)), reads.get(0).get(20, TimeUnit.SECONDS));
            ExecutionException bad = assertThrows(
                    ExecutionException.class, () -> reads.get(1).get(20, TimeUnit.SECONDS));
            StateStoreException e = assertInstanceOf(StateStoreException.class, bad.getCause());
            assertEquals(StateStoreException.Reason.UNAVAILABLE, e.reason());
            assertTrue(e.getCause().getMessage().contains("does not decode"), e.getCause().getMessage());
            assertEquals(Optional.of(state(3, "boot-3", T0)), reads.get(2).get(20, TimeUnit.SECONDS));
        } finally {
            threads.shutdownNow();
        }
        assertEquals(before + 1, s.groupReads());
    }

    /** Submits a read of each of {@code devices} while a read is held, so that they all queue up behind it. */
    private static void queueReadsBehindAHeldReader(JdbcDeviceStateStore s, List<String> devices, ExecutorService threads,
            List<Future<Optional<DeviceState>>> reads) {
        s.holdingReader(() -> {
            for (String d : devices) {
                reads.add(threads.submit(() -> s.get(d)));
            }
            try {
                awaitTrue(() -> s.queuedReads() == devices.size());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }

    /** The backend waiting for a lock {@code pid} holds, or 0. */
    private static int blockedBy(String url, int pid) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE " + pid
                        + " = ANY(pg_blocking_pids(pid))")) {
            return r.next() ? r.getInt(1) : 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
