package dev.attest.examples.verifier;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The service's own records, in any JDBC database (H2 file mode by default, PostgreSQL by URL):
 * enrolled devices with their verification key, and the history of appraisal results. The
 * verifier's replay and continuity state lives in attest-verify's DeviceStateStore, not here.
 * The schema is created on first use; the SQL is the subset H2 and PostgreSQL share. Connections
 * come from a HikariCP pool, so a database that restarts is used again once it is back.
 * Concurrent {@link #record} calls are group-committed: one transaction for the results that
 * arrived together.
 */
final class DeviceDirectory implements AutoCloseable {
    /** An enrolled device; {@code period}: how often it sends evidence, if enrolment said ({@link DevicePeriod}). */
    record Device(String id, String keyPem, Instant enrolled, Optional<Duration> period) {
    }

    /** One appraisal of one device. */
    record Result(String device, Instant time, String status, String trustVectorJson, String findingsJson,
            long sequence, String ear) {
    }

    private final HikariDataSource pool;
    /**
     * Devices known to be enrolled. Enrolment is never undone, so a device found once needs no
     * query again; a device not in the set is looked up in the database (another replica sharing
     * it may have enrolled the device since), so the set only saves queries, never answers
     * differently. Bounded by the enrolled devices.
     */
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** Results waiting to be written, and the lock of the one caller writing a group of them. */
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writer = new ReentrantLock();

    /** One result on its way to the table; written and failure are set under {@link #writer}. */
    private static final class Pending {
        final Result result;
        boolean written;
        SQLException failure;

        Pending(Result result) {
            this.result = result;
        }
    }

    /** The most results one group-commit transaction carries. */
    private static final int MAX_GROUP = 64;
    private static final String INSERT_RESULT = "INSERT INTO attest_results "
            + "(device, at, status, trust_vector, findings, sequence, ear) VALUES (?, ?, ?, ?, ?, ?, ?)";

    DeviceDirectory(String jdbcUrl) throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("attest-directory");
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(3_000);
        this.pool = new HikariDataSource(config);
        try (Connection db = pool.getConnection(); Statement s = db.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS attest_devices (id VARCHAR(256) PRIMARY KEY, "
                    + "key_pem VARCHAR(16384) NOT NULL, enrolled TIMESTAMP NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS attest_results (device VARCHAR(256) NOT NULL, "
                    + "at TIMESTAMP NOT NULL, status VARCHAR(32) NOT NULL, trust_vector VARCHAR(4096) NOT NULL, "
                    + "findings VARCHAR(1048576) NOT NULL, sequence BIGINT NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS attest_results_device ON attest_results (device, at)");
            // The signed EAR of each appraisal, for the dashboard's history (added later: older
            // databases get the column, their earlier rows without an EAR).
            s.execute("ALTER TABLE attest_results ADD COLUMN IF NOT EXISTS ear VARCHAR(1048576)");
            // Each device's period in milliseconds, if enrolment gave one (added later, as ear).
            s.execute("ALTER TABLE attest_devices ADD COLUMN IF NOT EXISTS period_ms BIGINT");
        }
    }

    void enrol(String id, String keyPem, Instant at) throws SQLException {
        enrol(id, keyPem, at, Optional.empty());
    }

    void enrol(String id, String keyPem, Instant at, Optional<Duration> period) throws SQLException {
        try (Connection db = pool.getConnection(); PreparedStatement p = db.prepareStatement("INSERT INTO attest_devices (id, key_pem, enrolled, period_ms) VALUES (?, ?, ?, ?)")) {
            p.setString(1, id);
            p.setString(2, keyPem);
            p.setTimestamp(3, Timestamp.from(at));
            if (period.isPresent()) {
                p.setLong(4, period.get().toMillis());
            } else {
                p.setNull(4, java.sql.Types.BIGINT);
            }
            p.executeUpdate();
        }
        known.add(id);
    }

    /**
     * Whether {@code id} is enrolled: from memory once the device was seen enrolled, else from
     * the database (one query per request for an unknown id, as before).
     */
    boolean enrolled(String id) throws SQLException {
        return known.contains(id) || device(id).isPresent();
    }

    private static Device device(ResultSet r) throws SQLException {
        long ms = r.getLong(4);
        Optional<Duration> period = r.wasNull() ? Optional.empty() : Optional.of(Duration.ofMillis(ms));
        return new Device(r.getString(1), r.getString(2), r.getTimestamp(3).toInstant(), period);
    }

    Optional<Device> device(String id) throws SQLException {
        try (Connection db = pool.getConnection(); PreparedStatement p = db.prepareStatement("SELECT id, key_pem, enrolled, period_ms FROM attest_devices WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                known.add(id);
                return Optional.of(device(r));
            }
        }
    }

    List<Device> devices() throws SQLException {
        List<Device> out = new ArrayList<>();
        try (Connection db = pool.getConnection(); Statement s = db.createStatement();
                ResultSet r = s.executeQuery("SELECT id, key_pem, enrolled, period_ms FROM attest_devices ORDER BY id")) {
            while (r.next()) {
                out.add(device(r));
            }
        }
        return out;
    }

    /**
     * Stores {@code res}; returns once it is committed. Group commit: the caller that takes the
     * writer's lock writes every result waiting by then (its own among them, unless an earlier
     * writer took it) in one transaction; the others find theirs written when they get the lock.
     * If the group fails, each of its results is tried alone, so one result's outcome (e.g. a
     * value too large for its column) is never another's.
     *
     * @throws SQLException if this result could not be stored
     */
    void record(Result res) throws SQLException {
        Pending me = new Pending(res);
        pending.add(me);
        writer.lock();
        try {
            if (!me.written && me.failure == null) {
                List<Pending> group = new ArrayList<>();
                for (Pending p; group.size() < MAX_GROUP && (p = pending.poll()) != null;) {
                    group.add(p);
                }
                if (!group.contains(me)) {
                    // More than MAX_GROUP were waiting ahead of this one: it goes alone.
                    group.add(me);
                    pending.remove(me);
                }
                write(group);
            }
        } finally {
            writer.unlock();
        }
        if (me.failure != null) {
            throw new SQLException(me.failure.getMessage(), me.failure.getSQLState(), me.failure);
        }
    }

    private void write(List<Pending> group) {
        if (group.size() > 1) {
            try (Connection db = pool.getConnection()) {
                db.setAutoCommit(false);
                try (PreparedStatement p = db.prepareStatement(INSERT_RESULT)) {
                    for (Pending w : group) {
                        bind(p, w.result);
                        p.addBatch();
                    }
                    p.executeBatch();
                    db.commit();
                    group.forEach(w -> w.written = true);
                    return;
                } catch (SQLException e) {
                    db.rollback();
                } finally {
                    db.setAutoCommit(true);
                }
            } catch (SQLException e) {
                // The group could not be written: each result alone below, with its own outcome.
            }
        }
        for (Pending w : group) {
            try (Connection db = pool.getConnection(); PreparedStatement p = db.prepareStatement(INSERT_RESULT)) {
                bind(p, w.result);
                p.executeUpdate();
                w.written = true;
            } catch (SQLException e) {
                w.failure = e;
            }
        }
    }

    private static void bind(PreparedStatement p, Result res) throws SQLException {
        p.setString(1, res.device());
        p.setTimestamp(2, Timestamp.from(res.time()));
        p.setString(3, res.status());
        p.setString(4, res.trustVectorJson());
        p.setString(5, res.findingsJson());
        p.setLong(6, res.sequence());
        p.setString(7, res.ear());
    }

    /** The newest {@code limit} results of a device, newest first. */
    List<Result> history(String device, int limit) throws SQLException {
        return history(device, limit, Optional.empty());
    }

    /**
     * A page of a device's results, newest first: the newest {@code limit} results older than
     * {@code before} (all of them if empty), ordered by time and then sequence.
     */
    List<Result> history(String device, int limit, Optional<Cursor> before) throws SQLException {
        List<Result> out = new ArrayList<>();
        String where = before.isPresent() ? " AND (at < ? OR (at = ? AND sequence < ?))" : "";
        try (Connection db = pool.getConnection(); PreparedStatement p = db.prepareStatement("SELECT device, at, status, trust_vector, findings, sequence, ear "
                + "FROM attest_results WHERE device = ?" + where + " ORDER BY at DESC, sequence DESC LIMIT ?")) {
            int i = 1;
            p.setString(i++, device);
            if (before.isPresent()) {
                Timestamp at = Timestamp.from(before.get().at());
                p.setTimestamp(i++, at);
                p.setTimestamp(i++, at);
                p.setLong(i++, before.get().sequence());
            }
            p.setInt(i, limit);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(new Result(r.getString(1), r.getTimestamp(2).toInstant(), r.getString(3), r.getString(4),
                            r.getString(5), r.getLong(6), r.getString(7) == null ? "" : r.getString(7)));
                }
            }
        }
        return out;
    }

    /**
     * Where a page of history ends: the time and sequence of its oldest result. Its text form,
     * {@code <ISO-8601 instant>_<sequence>}, is what the API hands out as {@code next}.
     */
    record Cursor(Instant at, long sequence) {
        private static final java.util.regex.Pattern FORM =
                java.util.regex.Pattern.compile("([0-9T:.Z-]{20,30})_([0-9]{1,19})");

        static Cursor after(Result r) {
            return new Cursor(r.time(), r.sequence());
        }

        /** The cursor a {@code next} text names, or empty if the text is not one. */
        static Optional<Cursor> parse(String text) {
            java.util.regex.Matcher m = FORM.matcher(text);
            if (!m.matches()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Cursor(Instant.parse(m.group(1)), Long.parseLong(m.group(2))));
            } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
                return Optional.empty();
            }
        }

        @Override
        public String toString() {
            return at + "_" + sequence;
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** Whether the database answers now. */
    boolean reachable() {
        try (Connection db = pool.getConnection()) {
            return db.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }
}
