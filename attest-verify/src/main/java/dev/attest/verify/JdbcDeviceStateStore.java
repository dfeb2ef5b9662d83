package dev.attest.verify;

import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogHead;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
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
 * appraiser's opaque state as binary, {@link #appraiserState}); version 3 adds
 * {@code attest_shard} (at most one row: the {@link ShardIdentity} the database records as a shard
 * of a {@link PartitionedDeviceStateStore}, {@link #claimShard}); an older database is upgraded
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
 * {@value #PURGE_EVERY} uses and by {@link #purgeExpiredNonces()}. Concurrent
 * {@link #compareAndSet} calls are group-committed (see there): on PostgreSQL one statement for
 * the group, elsewhere one transaction of one statement per swap; every other statement runs in
 * auto-commit mode, and no other transaction spans more than one statement except the schema
 * migration.
 *
 * <p>Database failures throw {@link StateStoreException} ({@code UNAVAILABLE}). The store never
 * logs or prints the JDBC URL or credentials.
 */
public final class JdbcDeviceStateStore implements DeviceStateStore, AutoCloseable {
    /** The schema version this code writes. */
    public static final int SCHEMA_VERSION = 3;
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
                    + "PRIMARY KEY (device, appraiser))"),
            // One row at most (its key is always 1): the shard this database is, once claimed.
            List.of("CREATE TABLE IF NOT EXISTS attest_shard ("
                    + "shard_key INTEGER NOT NULL PRIMARY KEY, "
                    + "partition_map VARCHAR(64) NOT NULL, "
                    + "shard_index INTEGER NOT NULL, "
                    + "shard_count INTEGER NOT NULL, "
                    + "routing VARCHAR(64) NOT NULL, "
                    + "claimed_ms BIGINT NOT NULL)"));

    private static final String SELECT_STATE = "SELECT log_sequence, log_head, boot_id, appraised_s, appraised_ns "
            + "FROM attest_device_state WHERE device = ?";
    private static final String SELECT_STATES = "SELECT device, log_sequence, log_head, boot_id, appraised_s, "
            + "appraised_ns FROM attest_device_state WHERE device = ANY(?)";
    private static final String INSERT_STATE = "INSERT INTO attest_device_state (log_sequence, log_head, boot_id, "
            + "appraised_s, appraised_ns, device) VALUES (?, ?, ?, ?, ?, ?)";
    // PostgreSQL: a whole group in one statement, so one round trip and one WAL flush (the
    // statement is its own transaction, atomic). Each row's compare-and-set is the UPDATE's join
    // condition on every column of its expected state (re-checked on the newest row version when
    // a concurrent transaction changed it, READ COMMITTED's rule), or an insert that a present
    // row turns into nothing; the rows returned are the swaps that happened.
    private static final String SWAP_GROUP_PG = "WITH v AS (SELECT * FROM unnest(?::varchar[], ?::int8[], "
            + "?::varchar[], ?::varchar[], ?::int8[], ?::int4[], ?::int8[], ?::varchar[], ?::varchar[], ?::int8[], "
            + "?::int4[], ?::bool[]) AS v(device, seq, head, boot, s, ns, oseq, ohead, oboot, os, ons, fresh)), "
            + "u AS (UPDATE attest_device_state t SET log_sequence = v.seq, log_head = v.head, boot_id = v.boot, "
            + "appraised_s = v.s, appraised_ns = v.ns FROM v WHERE NOT v.fresh AND t.device = v.device "
            + "AND t.log_sequence = v.oseq AND t.log_head = v.ohead AND t.boot_id = v.oboot AND t.appraised_s = v.os "
            + "AND t.appraised_ns = v.ons RETURNING t.device), "
            + "i AS (INSERT INTO attest_device_state (device, log_sequence, log_head, boot_id, appraised_s, appraised_ns) "
            + "SELECT device, seq, head, boot, s, ns FROM v WHERE v.fresh ON CONFLICT (device) DO NOTHING "
            + "RETURNING device) "
            + "SELECT device FROM u UNION ALL SELECT device FROM i";
    private static final String UPDATE_STATE = "UPDATE attest_device_state SET log_sequence = ?, log_head = ?, "
            + "boot_id = ?, appraised_s = ?, appraised_ns = ? WHERE device = ? AND log_sequence = ? AND log_head = ? "
            + "AND boot_id = ? AND appraised_s = ? AND appraised_ns = ?";
    /** The most state swaps one group-commit transaction carries. */
    static final int MAX_BATCH = 256;
    /**
     * How many group commits may be in flight at once. One: on the 2-core build machine, four in
     * flight made groups smaller and the store slower (740 against 1,744 compare-and-sets/s from
     * eight threads), the database's work growing with each statement, not with each row.
     */
    static final int COMMITTERS = 1;
    /** Connections the store's own pool keeps at most. */
    static final int POOL_SIZE = 8;

    private final DataSource dataSource;
    private final Optional<HikariDataSource> ownPool;
    private final Clock clock;
    private final AtomicLong nonceUses = new AtomicLong();
    private final String product;
    private final boolean postgres;
    private final ConcurrentLinkedQueue<Swap> swaps = new ConcurrentLinkedQueue<>();
    private final ReentrantLock[] committers = new ReentrantLock[COMMITTERS];
    private final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();
    private final ReentrantLock[] readers = {new ReentrantLock()};
    /** Notified whenever a committer lets go of its lock. */
    private final Object committed = new Object();
    /** Notified whenever a reader lets go of its lock. */
    private final Object readDone = new Object();
    private final AtomicLong groupCommits = new AtomicLong();
    private final AtomicLong groupReads = new AtomicLong();
    /**
     * Whether this store may be used: the database recorded no shard identity when it was opened,
     * or {@link #claimShard} was answered with exactly the identity it asked for.
     */
    private volatile boolean usable;

    private JdbcDeviceStateStore(DataSource dataSource, Optional<HikariDataSource> ownPool, Clock clock) {
        this.dataSource = dataSource;
        this.ownPool = ownPool;
        this.clock = clock;
        for (int i = 0; i < COMMITTERS; i++) {
            committers[i] = new ReentrantLock();
        }
        try {
            this.product = migrate();
            this.usable = call(JdbcDeviceStateStore::recordedShard).isEmpty();
        } catch (RuntimeException e) {
            ownPool.ifPresent(HikariDataSource::close);
            throw e;
        }
        this.postgres = product.startsWith("PostgreSQL");
    }

    /**
     * Opens a store on {@code dataSource} (typically a connection pool; each call borrows one
     * connection and returns it) and creates or upgrades the schema.
     *
     * @param dataSource the data source
     * @return the store
     * @throws StateStoreException if the database is unreachable, the migration fails, or the
     *     schema is newer than {@link #SCHEMA_VERSION}
     */
    public static JdbcDeviceStateStore open(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new JdbcDeviceStateStore(dataSource, Optional.empty(), Clock.systemUTC());
    }

    /**
     * Opens a store on the database at JDBC {@code url} with {@code user} and {@code password}
     * (the driver must be on the class or module path) through a HikariCP pool of its own of up
     * to {@value #POOL_SIZE} connections, closed by {@link #close()}, and creates or upgrades the
     * schema.
     *
     * @param url the JDBC URL
     * @param user the database user
     * @param password the password
     * @return the store; close it to close its pool
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
     *
     * @param url the JDBC URL, with credentials if needed
     * @return the store; close it to close its pool
     * @throws StateStoreException as {@link #open(DataSource)}
     */
    public static JdbcDeviceStateStore open(String url) {
        Objects.requireNonNull(url, "url");
        return open(url, null, null, Clock.systemUTC());
    }

    /** For tests: a store whose nonce expiry follows {@code clock}. */
    static JdbcDeviceStateStore open(String url, String user, String password, Clock clock) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
            config.setPassword(password);
        }
        config.setPoolName("attest-device-state");
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        // An appraisal waits at most this long for a connection, then fails as UNAVAILABLE (a
        // service answers 503) instead of hanging while the database is down.
        config.setConnectionTimeout(3_000);
        config.setValidationTimeout(1_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            // HikariCP's PoolInitializationException; the cause is the driver's SQLException.
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StateStoreException(StateStoreException.Reason.UNAVAILABLE, "cannot connect: "
                    + (cause instanceof SQLException q ? "SQLState " + q.getSQLState() : cause.getClass().getSimpleName()),
                    cause);
        }
        return new JdbcDeviceStateStore(pool, Optional.of(pool), clock);
    }

    /**
     * {@inheritDoc}
     *
     * <p>On PostgreSQL the reads of concurrent callers are grouped as their swaps are (see
     * {@link #compareAndSet}): whoever finds no group being read reads every device queued so far
     * in one {@code SELECT ... WHERE device = ANY(?)}, up to {@value #MAX_BATCH}, and hands each
     * caller its row. That statement starts after each of its callers asked, so it sees every
     * swap committed before the call, as a read of its own would; what it returns may be
     * overtaken afterwards as any read may, which the compare-and-set then refuses.
     */
    @Override
    public Optional<DeviceState> get(String device) {
        checkDevice(device);
        checkUsable();
        if (!postgres) {
            return call(c -> readAlone(c, device));
        }
        Read read = new Read(device);
        reads.add(read);
        runGrouped(read, readers, readDone, this::readQueued);
        if (read.failure != null) {
            throw new StateStoreException(read.failure.reason(), "the state could not be read", read.failure);
        }
        return read.state;
    }

    private static Optional<DeviceState> readAlone(Connection c, String device) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(SELECT_STATE)) {
            s.setString(1, device);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(stateAt(r, 1)) : Optional.empty();
            }
        }
    }

    /** The state in the five columns from {@code first} on (sequence, head, boot id, seconds, nanoseconds). */
    private static DeviceState stateAt(ResultSet r, int first) throws SQLException {
        LogHead head = new LogHead(r.getLong(first), Digest.parse(r.getString(first + 1)), r.getString(first + 2));
        return new DeviceState(head, Instant.ofEpochSecond(r.getLong(first + 3), r.getInt(first + 4)));
    }

    /** Reads every device queued so far, up to {@value #MAX_BATCH}, in one statement. */
    private void readQueued() {
        List<Read> group = new ArrayList<>();
        for (Read r; group.size() < MAX_BATCH && (r = reads.poll()) != null;) {
            group.add(r);
        }
        if (group.isEmpty()) {
            return;
        }
        try {
            java.util.Map<String, DeviceState> found = new java.util.HashMap<>();
            // A row that does not decode fails its own device's callers only, never the group's.
            java.util.Map<String, RuntimeException> undecodable = new java.util.HashMap<>();
            call(c -> {
                if (group.size() == 1) {
                    readAlone(c, group.get(0).device).ifPresent(st -> found.put(group.get(0).device, st));
                    return null;
                }
                String[] devices = group.stream().map(r -> r.device).distinct().toArray(String[]::new);
                groupReads.incrementAndGet();
                try (PreparedStatement s = c.prepareStatement(SELECT_STATES)) {
                    s.setArray(1, c.createArrayOf("varchar", devices));
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            String device = r.getString(1);
                            try {
                                found.put(device, stateAt(r, 2));
                            } catch (RuntimeException e) {
                                undecodable.put(device, e);
                            }
                        }
                    }
                }
                return null;
            });
            for (Read r : group) {
                RuntimeException bad = undecodable.get(r.device);
                if (bad != null) {
                    r.fail(new StateStoreException(StateStoreException.Reason.UNAVAILABLE,
                            "the stored state of this device does not decode: " + bad.getClass().getSimpleName(), bad));
                } else {
                    r.complete(Optional.ofNullable(found.get(r.device)));
                }
            }
        } catch (RuntimeException | Error e) {
            failAll(group, "group read", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Group commit: the swaps of concurrent callers of this store are written together, up to
     * {@value #MAX_BATCH} in one transaction (one WAL flush for all), each row's compare-and-set
     * still its own statement with its own outcome. Swaps go in device order, so that replicas
     * committing overlapping groups lock rows in one order and never deadlock; a device appears at
     * most once per transaction. The call returns only after the transaction committed; if it
     * failed, every swap in it throws {@link StateStoreException} and none is reported as done. A
     * group that hits a conflict the database reports as an error (a concurrent insert on a
     * database without {@code ON CONFLICT}, a deadlock with another writer) is rolled back and
     * its swaps retried one statement each.
     */
    @Override
    public boolean compareAndSet(String device, Optional<DeviceState> expected, DeviceState next) {
        checkDevice(device);
        checkUsable();
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(next, "next");
        Swap swap = new Swap(device, expected, next);
        swaps.add(swap);
        runGrouped(swap, committers, committed, this::commitQueued);
        if (swap.failure != null) {
            // A new exception per caller: the group's failure is shared by every swap in it.
            throw new StateStoreException(swap.failure.reason(), "the compare-and-set was not committed", swap.failure);
        }
        return swap.swapped;
    }

    /**
     * Waits until {@code request} is done: whoever gets a free one of {@code runners} runs
     * everything queued so far as one group; the others wait for their request to be done, or
     * for a runner to be free again (then one of them runs what queued up meanwhile);
     * {@code monitor} is notified whenever one of {@code runners} lets go.
     */
    private static void runGrouped(Pending request, ReentrantLock[] runners, Object monitor, Runnable runQueued) {
        while (!request.done) {
            ReentrantLock runner = freeRunner(runners);
            if (runner != null) {
                try {
                    if (!request.done) {
                        runQueued.run();
                    }
                } finally {
                    runner.unlock();
                    synchronized (monitor) {
                        monitor.notifyAll();
                    }
                }
            } else {
                awaitGroup(request, runners, monitor);
            }
        }
    }

    /**
     * Fails every request of {@code group} not yet done with {@code e} (as a store failure) and
     * rethrows it if it is an {@link Error}.
     */
    private static void failAll(List<? extends Pending> group, String what, Throwable e) {
        StateStoreException failure = e instanceof StateStoreException x ? x
                : new StateStoreException(StateStoreException.Reason.UNAVAILABLE, what + " failed: "
                        + e.getClass().getSimpleName(), e);
        for (Pending p : group) {
            if (!p.done) {
                p.fail(failure);
            }
        }
        if (e instanceof Error err) {
            throw err;
        }
    }

    /** A runner this thread now holds, or null if all are busy. */
    private static ReentrantLock freeRunner(ReentrantLock[] runners) {
        for (ReentrantLock c : runners) {
            if (c.tryLock()) {
                return c;
            }
        }
        return null;
    }

    private static boolean allRunning(ReentrantLock[] runners) {
        for (ReentrantLock c : runners) {
            if (!c.isLocked()) {
                return false;
            }
        }
        return true;
    }

    private static void awaitGroup(Pending request, ReentrantLock[] runners, Object monitor) {
        boolean interrupted = false;
        synchronized (monitor) {
            // A runner notifies after it unlocks, under this monitor: checking the locks here
            // cannot miss that notification.
            while (!request.done && allRunning(runners)) {
                try {
                    monitor.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void commitQueued() {
        List<Swap> group = new ArrayList<>();
        List<Swap> later = new ArrayList<>();
        Set<String> devices = new HashSet<>();
        for (Swap s; group.size() < MAX_BATCH && (s = swaps.poll()) != null;) {
            (devices.add(s.device) ? group : later).add(s);
        }
        swaps.addAll(later);
        group.sort(Comparator.comparing(s -> s.device));
        try {
            if (group.size() == 1) {
                swapAlone(group.get(0));
            } else if (!group.isEmpty()) {
                swapTogether(group);
            }
        } catch (RuntimeException | Error e) {
            failAll(group, "group commit", e);
        }
    }

    /** One swap in its own auto-committed statement; a failure fails only it. */
    private void swapAlone(Swap swap) {
        try {
            swap.complete(call(c -> {
                try (PreparedStatement s = c.prepareStatement(swap.expected.isEmpty() ? INSERT_STATE : UPDATE_STATE)) {
                    return swap.bind(s) && insertedNotPresent(s);
                }
            }));
        } catch (StateStoreException e) {
            swap.fail(e);
        }
    }

    /** PostgreSQL: the group in one statement ({@link #SWAP_GROUP_PG}). */
    private void swapTogetherPostgres(List<Swap> group) {
        int n = group.size();
        Object[][] columns = new Object[12][];
        String[] types = {"varchar", "int8", "varchar", "varchar", "int8", "int4", "int8", "varchar", "varchar", "int8",
            "int4", "bool"};
        columns[0] = new String[n];
        columns[1] = new Long[n];
        columns[2] = new String[n];
        columns[3] = new String[n];
        columns[4] = new Long[n];
        columns[5] = new Integer[n];
        columns[6] = new Long[n];
        columns[7] = new String[n];
        columns[8] = new String[n];
        columns[9] = new Long[n];
        columns[10] = new Integer[n];
        columns[11] = new Boolean[n];
        for (int k = 0; k < n; k++) {
            Swap w = group.get(k);
            columns[0][k] = w.device;
            columns[1][k] = w.next.head().sequence();
            columns[2][k] = w.next.head().head().toString();
            columns[3][k] = w.next.head().bootId();
            columns[4][k] = w.next.appraisedAt().getEpochSecond();
            columns[5][k] = w.next.appraisedAt().getNano();
            columns[11][k] = w.expected.isEmpty();
            if (w.expected.isPresent()) {
                DeviceState old = w.expected.get();
                columns[6][k] = old.head().sequence();
                columns[7][k] = old.head().head().toString();
                columns[8][k] = old.head().bootId();
                columns[9][k] = old.appraisedAt().getEpochSecond();
                columns[10][k] = old.appraisedAt().getNano();
            }
        }
        Set<String> swapped = new HashSet<>();
        try {
            call(c -> {
                try (PreparedStatement s = c.prepareStatement(SWAP_GROUP_PG)) {
                    for (int i = 0; i < columns.length; i++) {
                        s.setArray(i + 1, c.createArrayOf(types[i], columns[i]));
                    }
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            swapped.add(r.getString(1));
                        }
                    }
                }
                return null;
            });
        } catch (StateStoreException e) {
            if (e.getCause() instanceof SQLException q && isConflict(q)) {
                // A deadlock with another replica's group (rows locked in join order): each alone.
                group.forEach(this::swapAlone);
                return;
            }
            throw e;
        }
        groupCommits.incrementAndGet();
        for (Swap w : group) {
            w.complete(swapped.contains(w.device));
        }
    }

    private void swapTogether(List<Swap> group) {
        if (postgres) {
            swapTogetherPostgres(group);
            return;
        }
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw new StateStoreException(StateStoreException.Reason.UNAVAILABLE, "cannot connect: " + e.getSQLState(), e);
        }
        boolean[] swapped = new boolean[group.size()];
        boolean conflict = false;
        try (c) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(INSERT_STATE);
                    PreparedStatement update = c.prepareStatement(UPDATE_STATE)) {
                int inserts = 0;
                int updates = 0;
                for (Swap s : group) {
                    PreparedStatement p = s.expected.isEmpty() ? insert : update;
                    s.bind(p);
                    p.addBatch();
                    if (p == insert) {
                        inserts++;
                    } else {
                        updates++;
                    }
                }
                int[] inserted = inserts == 0 ? new int[0] : insert.executeBatch();
                int[] updated = updates == 0 ? new int[0] : update.executeBatch();
                int i = 0;
                int u = 0;
                for (int k = 0; k < group.size(); k++) {
                    int n = group.get(k).expected.isEmpty() ? inserted[i++] : updated[u++];
                    if (n != 0 && n != 1) {
                        // A driver that does not report each statement's count (SUCCESS_NO_INFO):
                        // no outcome is known, so each swap goes again on its own.
                        throw new SQLException("batch update count " + n, "40001");
                    }
                    swapped[k] = n == 1;
                }
            } catch (SQLException e) {
                rollbackQuietly(c);
                conflict = isConflict(e);
                if (!conflict) {
                    throw e;
                }
            }
            if (!conflict) {
                c.commit();
            }
            c.setAutoCommit(true);
        } catch (SQLException e) {
            // The commit's outcome may be unknown (connection lost): no swap may be reported done.
            throw new StateStoreException(StateStoreException.Reason.UNAVAILABLE, "group commit of " + group.size()
                    + " swaps failed: SQLState " + e.getSQLState(), e);
        }
        if (conflict) {
            group.forEach(this::swapAlone);
            return;
        }
        groupCommits.incrementAndGet();
        for (int k = 0; k < group.size(); k++) {
            group.get(k).complete(swapped[k]);
        }
    }

    /** A unique-key violation, deadlock or serialization failure: retrying the statements alone decides each. */
    private static boolean isConflict(SQLException e) {
        // Drivers report a batch's failure as a BatchUpdateException whose next exception (or
        // cause) carries the failing statement's SQLState.
        Throwable t = e;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            SQLException q = t instanceof SQLException x ? x : null;
            for (int n = 0; q != null && n < MAX_BATCH + 1; n++, q = q.getNextException()) {
                String state = q.getSQLState();
                if (UNIQUE_VIOLATION.equals(state) || "40P01".equals(state) || "40001".equals(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // The connection is broken; the pool discards it and the transaction is gone with it.
        }
    }

    /** How many transactions carried more than one swap (for tests). */
    long groupCommits() {
        return groupCommits.get();
    }

    /** Whether a caller is committing swaps now (for tests). */
    boolean committing() {
        for (ReentrantLock c : committers) {
            if (c.isLocked()) {
                return true;
            }
        }
        return false;
    }

    /** How many reads carried more than one device's read (for tests). */
    long groupReads() {
        return groupReads.get();
    }

    /** How many reads wait for the next group read (for tests). */
    int queuedReads() {
        return reads.size();
    }

    /** For tests: runs {@code whileHeld} holding the reader, so that reads queue up meanwhile. */
    void holdingReader(Runnable whileHeld) {
        readers[0].lock();
        try {
            whileHeld.run();
        } finally {
            readers[0].unlock();
            synchronized (readDone) {
                readDone.notifyAll();
            }
        }
    }

    /** How many swaps wait for the next group commit (for tests). */
    int queuedSwaps() {
        return swaps.size();
    }

    @Override
    public boolean useNonce(String device, byte[] nonce, Duration ttl) {
        checkDevice(device);
        checkUsable();
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
        checkUsable();
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
        checkUsable();
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
     * {@inheritDoc}
     *
     * <p>The identity is the one row of {@code attest_shard}, inserted by the first claim (of two
     * replicas claiming at once, the primary key lets one insert, the other reads its row) with
     * {@link PartitionedDeviceStateStore#ROUTING}, the routing function it was claimed under; a
     * row recorded under another routing is refused. A database that holds any device state,
     * nonce or appraiser state but no row refuses a claim as one of several shards.
     */
    @Override
    public ShardIdentity claimShard(ShardIdentity wanted) {
        Objects.requireNonNull(wanted, "wanted");
        ShardIdentity recorded = call(c -> {
            Optional<ShardIdentity> r = recordedShard(c);
            if (r.isPresent()) {
                return r.get();
            }
            if (wanted.count() > 1 && holdsState(c)) {
                throw new StateStoreException(StateStoreException.Reason.PARTITION_MISMATCH, "the database holds "
                        + "state from before partitioning; it cannot become " + wanted
                        + " (re-partitioning is an offline migration, docs/scaling.md)", null);
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO attest_shard (shard_key, partition_map, "
                    + "shard_index, shard_count, routing, claimed_ms) VALUES (1, ?, ?, ?, ?, ?)")) {
                s.setString(1, wanted.partitionMap());
                s.setInt(2, wanted.index());
                s.setInt(3, wanted.count());
                s.setString(4, PartitionedDeviceStateStore.ROUTING);
                s.setLong(5, clock.millis());
                if (insertedNotPresent(s)) {
                    return wanted;
                }
            }
            return recordedShard(c).orElseThrow(() -> new SQLException("attest_shard lost its row", "40001"));
        });
        if (recorded.equals(wanted)) {
            usable = true;
        }
        return recorded;
    }

    @Override
    public Optional<ShardIdentity> shardIdentity() {
        return call(JdbcDeviceStateStore::recordedShard);
    }

    /** The identity the database records, if any. */
    private static Optional<ShardIdentity> recordedShard(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT partition_map, shard_index, shard_count, routing FROM attest_shard WHERE shard_key = 1")) {
            if (!r.next()) {
                return Optional.empty();
            }
            String routing = r.getString(4);
            if (!PartitionedDeviceStateStore.ROUTING.equals(routing)) {
                throw new StateStoreException(StateStoreException.Reason.PARTITION_MISMATCH, "the database is a shard "
                        + "routed by " + routing + ", this code routes by " + PartitionedDeviceStateStore.ROUTING, null);
            }
            try {
                return Optional.of(new ShardIdentity(r.getString(1), r.getInt(2), r.getInt(3)));
            } catch (IllegalArgumentException e) {
                throw new StateStoreException(StateStoreException.Reason.PARTITION_MISMATCH, "attest_shard records "
                        + "no valid identity: " + e.getMessage(), e);
            }
        }
    }

    private static boolean holdsState(Connection c) throws SQLException {
        for (String table : List.of("attest_device_state", "attest_nonce", "attest_appraiser_state")) {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1 FROM " + table + " LIMIT 1")) {
                if (r.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    private void checkUsable() {
        if (!usable) {
            String recorded = call(JdbcDeviceStateStore::recordedShard).map(ShardIdentity::toString)
                    .orElse("no shard now, but was one when this store was opened");
            throw new StateStoreException(StateStoreException.Reason.PARTITION_MISMATCH, "the database is "
                    + recorded + "; use it through PartitionedDeviceStateStore with that identity", null);
        }
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

    /**
     * The schema version recorded in the database (at most {@link #SCHEMA_VERSION}).
     *
     * @return the schema version
     */
    public int schemaVersion() {
        return call(JdbcDeviceStateStore::currentVersion);
    }

    /** Closes the pool this store opened itself; a caller's DataSource is left alone. */
    @Override
    public void close() {
        ownPool.ifPresent(HikariDataSource::close);
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
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw new StateStoreException(StateStoreException.Reason.UNAVAILABLE, "cannot connect: " + e.getSQLState(), e);
        }
        try (c) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StateStoreException(StateStoreException.Reason.UNAVAILABLE,
                    "statement failed: SQLState " + e.getSQLState(), e);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * A caller's request waiting for its group: written under the runner's lock, {@link #done}
     * (written last) read by the waiting caller without it.
     */
    private abstract static class Pending {
        volatile boolean done;
        StateStoreException failure;

        void fail(StateStoreException e) {
            failure = e;
            done = true;
        }
    }

    /** One caller's read of a device's state, waiting for its group read. */
    private static final class Read extends Pending {
        final String device;
        Optional<DeviceState> state;

        Read(String device) {
            this.device = device;
        }

        void complete(Optional<DeviceState> found) {
            state = found;
            done = true;
        }
    }

    /** One caller's compare-and-set, waiting for its group commit. */
    private static final class Swap extends Pending {
        final String device;
        final Optional<DeviceState> expected;
        final DeviceState next;
        boolean swapped;

        Swap(String device, Optional<DeviceState> expected, DeviceState next) {
            this.device = device;
            this.expected = expected;
            this.next = next;
        }

        /** Binds the INSERT (no expected state) or the UPDATE; true, for use in conditions. */
        boolean bind(PreparedStatement s) throws SQLException {
            bindState(s, next);
            s.setString(6, device);
            if (expected.isPresent()) {
                DeviceState old = expected.get();
                s.setLong(7, old.head().sequence());
                s.setString(8, old.head().head().toString());
                s.setString(9, old.head().bootId());
                s.setLong(10, old.appraisedAt().getEpochSecond());
                s.setInt(11, old.appraisedAt().getNano());
            }
            return true;
        }

        void complete(boolean outcome) {
            swapped = outcome;
            done = true;
        }
    }
}
