package dev.attest.examples.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real H2 database in file mode: state survives closing and reopening. */
class DeviceDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void enrolmentAndHistorySurviveARestart() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("verifier");
        Instant t = Instant.parse("2026-11-24T10:00:00Z");
        try (DeviceDirectory d = new DeviceDirectory(url)) {
            d.enrol("gw-1", "-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----\n", t);
            d.record(new DeviceDirectory.Result("gw-1", t.plusSeconds(60), "affirming", "{}", "[]", 10, "eyJ.a.b"));
            d.record(new DeviceDirectory.Result("gw-1", t.plusSeconds(120), "contraindicated", "{\"executables\":96}",
                    "[{\"check\":\"reference-digest\"}]", 20, "eyJ.c.d"));
            assertThrows(SQLException.class, () -> d.enrol("gw-1", "other", t));
        }
        try (DeviceDirectory d = new DeviceDirectory(url)) {
            assertEquals(List.of("gw-1"), d.devices().stream().map(DeviceDirectory.Device::id).toList());
            assertEquals(Optional.empty(), d.device("gw-2"));
            List<DeviceDirectory.Result> h = d.history("gw-1", 10);
            assertEquals(List.of("contraindicated", "affirming"), h.stream().map(DeviceDirectory.Result::status).toList());
            assertEquals(1, d.history("gw-1", 1).size());
            assertEquals(List.of("eyJ.c.d", "eyJ.a.b"), h.stream().map(DeviceDirectory.Result::ear).toList());
        }
    }

    @Test
    void historyPagesCoverEveryResultOnceNewestFirst() throws Exception {
        Instant t = Instant.parse("2026-11-24T10:00:00.000001Z");
        try (DeviceDirectory d = new DeviceDirectory("jdbc:h2:file:" + dir.resolve("pages"))) {
            d.enrol("gw-1", "k", t);
            for (int i = 1; i <= 7; i++) {
                d.record(new DeviceDirectory.Result("gw-1", t.plusMillis(i), "affirming", "{}", "[]", i, ""));
            }
            // Two results in the same instant (a refused replay next to its acceptance): kept apart by sequence.
            d.record(new DeviceDirectory.Result("gw-1", t.plusMillis(7), "contraindicated", "{}", "[]", 8, ""));
            d.record(new DeviceDirectory.Result("gw-2", t.plusMillis(3), "affirming", "{}", "[]", 99, ""));
            List<Long> seen = new java.util.ArrayList<>();
            Optional<DeviceDirectory.Cursor> before = Optional.empty();
            while (true) {
                List<DeviceDirectory.Result> page = d.history("gw-1", 3, before);
                page.forEach(r -> seen.add(r.sequence()));
                if (page.size() < 3) {
                    break;
                }
                DeviceDirectory.Cursor next = DeviceDirectory.Cursor.after(page.get(page.size() - 1));
                assertEquals(Optional.of(next), DeviceDirectory.Cursor.parse(next.toString()));
                before = Optional.of(next);
            }
            assertEquals(List.of(8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L), seen);
        }
        for (String bad : List.of("", "7", "2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z_", "2026-13-24T10:00:00Z_1",
                "2026-11-24T10:00:00Z_-1", "2026-11-24T10:00:00Z_99999999999999999999", "x_1")) {
            assertEquals(Optional.empty(), DeviceDirectory.Cursor.parse(bad), bad);
        }
    }

    @Test
    void aDeviceEnrolledThroughAnotherReplicaIsEnrolledHereToo() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("shared");
        Instant t = Instant.parse("2026-11-24T10:00:00Z");
        try (DeviceDirectory a = new DeviceDirectory(url); DeviceDirectory b = new DeviceDirectory(url)) {
            assertFalse(a.enrolled("gw-1"));
            b.enrol("gw-1", "k", t);
            assertTrue(a.enrolled("gw-1"));
            assertTrue(b.enrolled("gw-1"));
            assertFalse(a.enrolled("gw-2"));
        }
    }

    @Test
    void concurrentResultsAreAllStoredAndOneBadResultFailsAlone() throws Exception {
        int threads = 8;
        int each = 40;
        Instant t = Instant.parse("2026-11-24T10:00:00Z");
        try (DeviceDirectory d = new DeviceDirectory("jdbc:h2:file:" + dir.resolve("group"))) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
            List<java.util.concurrent.Future<List<String>>> done = new java.util.ArrayList<>();
            for (int k = 0; k < threads; k++) {
                String device = "gw-" + k;
                done.add(pool.submit(() -> {
                    start.await();
                    List<String> failed = new java.util.ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        // One status longer than its column (VARCHAR(32)): that insert fails, no other.
                        String status = device.equals("gw-3") && i == 17 ? "x".repeat(33) : "affirming";
                        try {
                            d.record(new DeviceDirectory.Result(device, t.plusMillis(i), status, "{}", "[]", i, "e"));
                        } catch (SQLException e) {
                            failed.add(device + "/" + i);
                        }
                    }
                    return failed;
                }));
            }
            List<String> failed = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<List<String>> f : done) {
                failed.addAll(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertEquals(List.of("gw-3/17"), failed);
            for (int k = 0; k < threads; k++) {
                List<Long> seqs = d.history("gw-" + k, 500).stream().map(DeviceDirectory.Result::sequence).toList();
                List<Long> expected = new java.util.ArrayList<>();
                for (long i = each - 1; i >= 0; i--) {
                    if (k != 3 || i != 17) {
                        expected.add(i);
                    }
                }
                assertEquals(expected, seqs, "gw-" + k);
            }
        }
    }

    @Test
    void aDatabaseFromBeforeTheEarColumnGetsIt() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("old");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE attest_results (device VARCHAR(256) NOT NULL, at TIMESTAMP NOT NULL, "
                    + "status VARCHAR(32) NOT NULL, trust_vector VARCHAR(4096) NOT NULL, "
                    + "findings VARCHAR(1048576) NOT NULL, sequence BIGINT NOT NULL)");
            s.execute("INSERT INTO attest_results VALUES ('gw-1', TIMESTAMP '2026-11-24 10:00:00', 'affirming', '{}', "
                    + "'[]', 5)");
        }
        try (DeviceDirectory d = new DeviceDirectory(url)) {
            Instant t = Instant.parse("2026-11-24T11:00:00Z");
            d.record(new DeviceDirectory.Result("gw-1", t, "warning", "{}", "[]", 6, "eyJ.e.f"));
            assertEquals(List.of("eyJ.e.f", ""), d.history("gw-1", 10).stream().map(DeviceDirectory.Result::ear).toList());
        }
    }

    @Test
    void aDatabaseFromBeforeThePeriodColumnGetsItAndEnrolmentStoresThePeriod() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("old-devices");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE attest_devices (id VARCHAR(256) PRIMARY KEY, key_pem VARCHAR(16384) NOT NULL, "
                    + "enrolled TIMESTAMP NOT NULL)");
            s.execute("INSERT INTO attest_devices VALUES ('gw-old', 'k', TIMESTAMP '2026-11-24 10:00:00')");
        }
        Instant t = Instant.parse("2026-11-24T11:00:00Z");
        try (DeviceDirectory d = new DeviceDirectory(url)) {
            d.enrol("gw-fast", "k", t, Optional.of(java.time.Duration.ofSeconds(1)));
            d.enrol("gw-slow", "k", t, Optional.of(java.time.Duration.ofDays(7)));
            d.enrol("gw-plain", "k", t);
        }
        try (DeviceDirectory d = new DeviceDirectory(url)) {
            assertEquals(List.of("gw-fast:Optional[PT1S]", "gw-old:Optional.empty", "gw-plain:Optional.empty",
                    "gw-slow:Optional[PT168H]"), d.devices().stream().map(x -> x.id() + ":" + x.period()).toList());
            assertEquals(Optional.of(java.time.Duration.ofSeconds(1)), d.device("gw-fast").orElseThrow().period());
        }
    }

    @Test
    void noncesAreSingleUsePerDeviceAndExpire() {
        java.util.concurrent.atomic.AtomicReference<Instant> now = new java.util.concurrent.atomic.AtomicReference<>(
                Instant.parse("2026-11-24T10:00:00Z"));
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        NonceIssuer issuer = new NonceIssuer(java.time.Duration.ofSeconds(30), clock, 2);
        byte[] a = issuer.issue("gw-1");
        assertEquals(32, a.length);
        assertEquals(true, issuer.redeem("gw-1", a).isPresent());
        assertEquals(Optional.empty(), issuer.redeem("gw-1", a));
        byte[] b = issuer.issue("gw-1");
        assertEquals(Optional.empty(), issuer.redeem("gw-2", b));
        assertEquals(Optional.empty(), issuer.redeem("gw-1", b));
        byte[] c = issuer.issue("gw-1");
        now.set(now.get().plusSeconds(31));
        assertEquals(Optional.empty(), issuer.redeem("gw-1", c));
        issuer.issue("gw-1");
        issuer.issue("gw-1");
        assertThrows(IllegalStateException.class, () -> issuer.issue("gw-1"));
    }
}
