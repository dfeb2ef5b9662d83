package dev.attest.verify;

import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogHead;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * {@link DeviceStateStore} in a relational database through JDBC, shared by every verifier
 * replica that opens the same database; tested on PostgreSQL and H2.
 *
 * <p><b>Schema.</b> {@link #open} creates or upgrades the schema: table
 * {@code attest_schema_version} records each applied version; version 1 creates
 * {@code attest_device_state} (one row per device: log sequence, chain head, boot id, appraisal
 * time) and {@code attest_nonce} (primary key device + SHA-256 of the nonce, with an expiry);
 * version 2 adds {@code attest_appraiser_state} (primary key device + appraiser id, the
 * appraiser's opaque state as binary, {@link #appraiserState}); a version-1 database is upgraded
 * in place when opened, its data kept. Every statement is {@code IF NOT EXISTS}, so opening again, or from several replicas at once,
 * is harmless; an up-to-date schema is opened without any DDL, so a role with only data rights
 * suffices after the first migration. A database whose schema version is newer than this code
 * knows is refused ({@link StateStoreException.Reason#SCHEMA_TOO_NEW}).
 *
 * <p><b>Atomicity</b> (the {@link DeviceStateStore} contract, needed so that two replicas
 * appraising the same device concurrently cannot both accept the same sequence number, RFC 9334
 * §10.2 replay protection): {@link #compareAndSet} is one {@code UPDATE ... WHERE} on every column
 * of the expected state (sequence, head, boot id, appraisal time), or, from no state, one
 * {@code INSERT} whose primary-key violation means another replica got there first.
 * {@link #useNonce} is one {@code INSERT} on the primary key (device, nonce); a violation means
 * the nonce was used, unless the remembered use has expired. {@link #compareAndSetAppraiserState}
 * is, from no state, one {@code INSERT} (a primary-key violation: another replica stored one
 * first), else one {@code UPDATE ... WHERE device = ? AND appraiser = ? AND state = ?}, the
 * database comparing the stored bytes with the expected ones. Expired nonces are deleted every
 * {@value #PURGE_EVERY} uses and by {@link #purgeExpiredNonces()}. All statements run in
 * auto-commit mode; no transaction spans more than one statement except the schema migration.
 *
 * <p>Database failures throw {@link StateStoreException} ({@code UNAVAILABLE}). The store never
 * logs or prints the JDBC URL or credentials.
 */
public final class JdbcDeviceStateStore implements DeviceStateStore, AutoCloseable {
    /** The schema version this code writes. */
    public static final int SCHEMA_VERSION = 2;
    /** How many {@link #useNonce} calls pass between two purges of expired nonces. */
    public static final int PURGE_EVERY = 1024;
    /** The longest device id the schema holds. */
    public static final int MAX_DEVICE_LENGTH = 512;

    private static final String UNIQUE_VIOLATION = "23505";
    private static final int MIGRATION_ATTEMPTS = 5;
    // One list per version; each statement idempotent on its own, so a half-applied version
    // (H2 commits DDL immediately) is finished by the next open.
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            "CREATE TABLE IF NOT EXISTS attest_device_state ("
                    + "device VARCHAR(512) NOT NULL PRIMARY KEY, "
                    + "log_sequence BIGINT NOT NULL, "
                    + "log_head VARCHAR(160) NOT NULL, "
                    + "boot_id VARCHAR(128) NOT NULL, "
                    + "appraised_s BIGINT NOT NULL, "
                    + "appraised_ns INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS attest_nonce ("
                    + "device VARCHAR(512) NOT NULL, "
                    + "nonce_sha256 CHAR(64) NOT NULL, "
                    + "expires_ms BIGINT NOT NULL, "
                    + "PRIMARY KEY (device, nonce_sha256))",
            "CREATE INDEX IF NOT EXISTS attest_nonce_expiry ON attest_nonce (expires_ms)"),
            // BYTEA: PostgreSQL's binary string, an alias of VARBINARY in H2; both compare it
            // byte for byte with "=", which the compare-and-set relies on.
            List.of("CREATE TABLE IF NOT EXISTS attest_appraiser_state ("
                    + "device VARCHAR(512) NOT NULL, "
                    + "appraiser VARCHAR(64) NOT NULL, "
                    + "state BYTEA NOT NULL, "
                    + "PRIMARY KEY (device, appraiser))"));

    private final Connections connections;
    private final Clock clock;
    private final AtomicLong nonceUses = new AtomicLong();
    private final String product;

    private JdbcDeviceStateStore(Connections connections, Clock clock) {
        this.connections = connections;
        this.clock = clock;
        this.product = migrate();
    }

    /**
     * Opens a store on {@code dataSource} (typically a connection pool; each call borrows one
     * connection and returns it) and creates or upgrades the schema.
     *
     * @throws StateStoreException if the database is unreachable, the migration fails, or the
     *     schema is newer than {@link #SCHEMA_VERSION}
     */
    public static JdbcDeviceStateStore open(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new JdbcDeviceStateStore(new Connections(dataSource::getConnection, false), Clock.systemUTC());
    }

    /**
     * Opens a store on the database at JDBC {@code url} with {@code user} and {@code password}
     * (the driver must be on the class or module path), keeping up to 16 idle connections for
     * reuse until {@link #close()}, and creates or upgrades the schema.
     *
     * @throws StateStoreException as {@link #open(DataSource)}
     */
    public static JdbcDeviceStateStore open(String url, String user, String password) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        return open(url, user, password, Clock.systemUTC());
    }

    /**
     * Opens a store on JDBC {@code url}, which carries its own credentials if the database needs
     * any (e.g. {@code jdbc:postgresql://host/db?user=u&password=p}); otherwise as
     * {@link #open(String, String, String)}.
     */
    public static JdbcDeviceStateStore open(String url) {
        Objects.requireNonNull(url, "url");
        return open(url, null, null, Clock.systemUTC());
    }

    /** For tests: a store whose nonce expiry follows {@code clock}. */
    static JdbcDeviceStateStore open(String url, String user, String password, Clock clock) {
        return new JdbcDeviceStateStore(new Connections(
                () -> user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password),
                true), clock);
    }

    @Override
    public Optional<DeviceState> get(String device) {
        checkDevice(device);
        return call(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT log_sequence, log_head, boot_id, appraised_s, "
                    + "appraised_ns FROM attest_device_state WHERE device = ?")) {
                s.setString(1, device);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return Optional.empty();
                    }
                    LogHead head = new LogHead(r.getLong(1), Digest.parse(r.getString(2)), r.getString(3));
                    return Optional.of(new DeviceState(head, Instant.ofEpochSecond(r.getLong(4), r.getInt(5))));
                }
            }
        });
    }

    @Override
    public boolean compareAndSet(String device, Optional<DeviceState> expected, DeviceState next) {
        checkDevice(device);
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(next, "next");
        return call(c -> {
            if (expected.isEmpty()) {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO attest_device_state (log_sequence, log_head, "
                        + "boot_id, appraised_s, appraised_ns, device) VALUES (?, ?, ?, ?, ?, ?)")) {
                    bindState(s, next);
                    s.setString(6, device);
                    return insertedNotPresent(s);
                }
            }
            DeviceState old = expected.get();
            try (PreparedStatement s = c.prepareStatement("UPDATE attest_device_state SET log_sequence = ?, "
                    + "log_head = ?, boot_id = ?, appraised_s = ?, appraised_ns = ? WHERE device = ? "
                    + "AND log_sequence = ? AND log_head = ? AND boot_id = ? AND appraised_s = ? AND appraised_ns = ?")) {
                bindState(s, next);
                s.setString(6, device);
                s.setLong(7, old.head().sequence());
                s.setString(8, old.head().head().toString());
                s.setString(9, old.head().bootId());
                s.setLong(10, old.appraisedAt().getEpochSecond());
                s.setInt(11, old.appraisedAt().getNano());
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean useNonce(String device, byte[] nonce, Duration ttl) {
        checkDevice(device);
        Objects.requireNonNull(nonce, "nonce");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative");
        }
        if (nonceUses.incrementAndGet() % PURGE_EVERY == 0) {
            purgeExpiredNonces();
        }
        // The key is the nonce's SHA-256: fixed length whatever the evidence carried, and the
        // table holds no challenge values.
        String key = DigestAlgorithm.SHA_256.hash(nonce).hex();
        long now = clock.millis();
        long expires = saturatedAdd(now, ttl);
        return call(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO attest_nonce (device, nonce_sha256, expires_ms) VALUES (?, ?, ?)")) {
                s.setString(1, device);
                s.setString(2, key);
                s.setLong(3, expires);
                if (insertedNotPresent(s)) {
                    return true;
                }
            }
            // Used before; a use older than its ttl is forgotten, as if it had been purged. The
            // row lock makes this atomic: of two concurrent reuses of an expired nonce, one wins.
            try (PreparedStatement s = c.prepareStatement("UPDATE attest_nonce SET expires_ms = ? "
                    + "WHERE device = ? AND nonce_sha256 = ? AND expires_ms <= ?")) {
                s.setLong(1, expires);
                s.setString(2, device);
                s.setString(3, key);
                s.setLong(4, now);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<byte[]> appraiserState(String device, String appraiser) {
        checkDevice(device);
        DeviceStateStore.checkAppraiserId(appraiser);
        return call(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT state FROM attest_appraiser_state WHERE device = ? AND appraiser = ?")) {
                s.setString(1, device);
                s.setString(2, appraiser);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(r.getBytes(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean compareAndSetAppraiserState(String device, String appraiser, Optional<byte[]> expected, byte[] next) {
        checkDevice(device);
        DeviceStateStore.checkAppraiserSwap(appraiser, expected, next);
        byte[] copy = next.clone();
        return call(c -> {
            if (expected.isEmpty()) {
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO attest_appraiser_state (device, appraiser, state) VALUES (?, ?, ?)")) {
                    s.setString(1, device);
                    s.setString(2, appraiser);
                    s.setBytes(3, copy);
                    return insertedNotPresent(s);
                }
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE attest_appraiser_state SET state = ? "
                    + "WHERE device = ? AND appraiser = ? AND state = ?")) {
                s.setBytes(1, copy);
                s.setString(2, device);
                s.setString(3, appraiser);
                s.setBytes(4, expected.get());
                return s.executeUpdate() == 1;
            }
        });
    }

    /**
     * Deletes every nonce whose remembered use has expired.
     *
     * @return how many were deleted
     */
    public int purgeExpiredNonces() {
        long now = clock.millis();
        return call(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM attest_nonce WHERE expires_ms <= ?")) {
                s.setLong(1, now);
                return s.executeUpdate();
            }
        });
    }

    /** The schema version recorded in the database (at most {@link #SCHEMA_VERSION}). */
    public int schemaVersion() {
        return call(JdbcDeviceStateStore::currentVersion);
    }

    /** Closes the idle connections this store opened itself; a caller's DataSource is left alone. */
    @Override
    public void close() {
        connections.close();
    }

    /** The database product, never the URL or credentials. */
    @Override
    public String toString() {
        return "JdbcDeviceStateStore[" + product + "]";
    }

    private String migrate() {
        StateStoreException last = null;
        for (int attempt = 1; attempt <= MIGRATION_ATTEMPTS; attempt++) {
            try {
                return call(this::migrateOnce);
            } catch (StateStoreException e) {
                if (e.reason() == StateStoreException.Reason.SCHEMA_TOO_NEW) {
                    throw e;
                }
                // Replicas opening at once race on CREATE ... IF NOT EXISTS (PostgreSQL may
                // report a duplicate catalog row, H2 a general error) and on the version row; the
                // loser retries and finds the schema in place. A persistent failure stays one.
                last = e;
                try {
                    Thread.sleep(20L * attempt);
                } catch (InterruptedException i) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new StateStoreException(StateStoreException.Reason.MIGRATION_FAILED, "schema migration failed after "
                + MIGRATION_ATTEMPTS + " attempts", last == null ? null : last.getCause());
    }

    private String migrateOnce(Connection c) throws SQLException {
        String name = c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion();
        // An up-to-date schema needs no DDL, so a role with only DML rights can open it. Probed
        // in auto-commit mode: on PostgreSQL a failed statement would poison a transaction.
        try {
            int current = currentVersion(c);
            if (current == SCHEMA_VERSION) {
                return name;
            }
        } catch (SQLException e) {
            // no version table yet: migrate
        }
        c.setAutoCommit(false);
        try {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS attest_schema_version ("
                        + "schema_version INTEGER NOT NULL PRIMARY KEY, applied_ms BIGINT NOT NULL)");
            }
            int current = currentVersion(c);
            if (current > SCHEMA_VERSION) {
                throw new StateStoreException(StateStoreException.Reason.SCHEMA_TOO_NEW, "the database has schema version "
                        + current + ", this code knows up to " + SCHEMA_VERSION, null);
            }
            for (int v = current + 1; v <= SCHEMA_VERSION; v++) {
                try (Statement s = c.createStatement()) {
                    for (String sql : MIGRATIONS.get(v - 1)) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO attest_schema_version (schema_version, applied_ms) VALUES (?, ?)")) {
                    s.setInt(1, v);
                    s.setLong(2, clock.millis());
                    s.executeUpdate();
                }
            }
            c.commit();
            return name;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static int currentVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT MAX(schema_version) FROM attest_schema_version")) {
            r.next();
            return r.getInt(1);
        }
    }

    private static void bindState(PreparedStatement s, DeviceState next) throws SQLException {
        s.setLong(1, next.head().sequence());
        s.setString(2, next.head().head().toString());
        s.setString(3, next.head().bootId());
        s.setLong(4, next.appraisedAt().getEpochSecond());
        s.setInt(5, next.appraisedAt().getNano());
    }

    private static void checkDevice(String device) {
        Objects.requireNonNull(device, "device");
        if (device.isEmpty() || device.length() > MAX_DEVICE_LENGTH) {
            throw new IllegalArgumentException("device id must be 1.." + MAX_DEVICE_LENGTH + " characters");
        }
    }

    private static long saturatedAdd(long nowMs, Duration ttl) {
        try {
            return Math.addExact(nowMs, ttl.toMillis());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Runs the prepared {@code INSERT}: true if it inserted the row, false if its primary key was
     * already there (another replica inserted it first; SQLSTATE 23505 in PostgreSQL and H2).
     */
    private static boolean insertedNotPresent(PreparedStatement insert) throws SQLException {
        try {
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    private <T> T call(Work<T> work) {
        Connection c;
        try {
            c = connections.borrow();
        } catch (SQLException e) {
            throw new StateStoreException(StateStoreException.Reason.UNAVAILABLE, "cannot connect: " + e.getSQLState(), e);
        }
        boolean healthy = false;
        try {
            T t = work.run(c);
            healthy = true;
            return t;
        } catch (SQLException e) {
            throw new StateStoreException(StateStoreException.Reason.UNAVAILABLE,
                    "statement failed: SQLState " + e.getSQLState(), e);
        } finally {
            connections.release(c, healthy);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface Source {
        Connection open() throws SQLException;
    }

    /** Connections from a source; pooled ones are kept idle for reuse, up to 16. */
    private static final class Connections {
        private static final int MAX_IDLE = 16;
        private final Source source;
        private final boolean pooled;
        private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
        private final AtomicInteger idleCount = new AtomicInteger();
        private volatile boolean closed;

        Connections(Source source, boolean pooled) {
            this.source = source;
            this.pooled = pooled;
        }

        Connection borrow() throws SQLException {
            Connection c = idle.pollFirst();
            if (c != null) {
                idleCount.decrementAndGet();
                return c;
            }
            return source.open();
        }

        void release(Connection c, boolean healthy) {
            // A connection whose statement failed may be in any state: never reuse it.
            if (pooled && healthy && !closed && idleCount.incrementAndGet() <= MAX_IDLE) {
                idle.addFirst(c);
                if (closed && idle.remove(c)) {
                    idleCount.decrementAndGet();
                    quietClose(c);
                }
                return;
            }
            if (pooled && healthy && !closed) {
                idleCount.decrementAndGet();
            }
            quietClose(c);
        }

        void close() {
            closed = true;
            for (Connection c; (c = idle.pollFirst()) != null;) {
                idleCount.decrementAndGet();
                quietClose(c);
            }
        }

        private static void quietClose(Connection c) {
            try {
                c.close();
            } catch (SQLException e) {
                // Closing a connection that is already broken: nothing left to release.
            }
        }
    }
}
