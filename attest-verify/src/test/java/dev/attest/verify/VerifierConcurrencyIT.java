package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fleet stress at scale: {@code attest.stress.devices} x {@code attest.stress.perDevice}
 * appraisals on one thread and on eight threads sharing one in-memory store give identical,
 * exactly expected results. Default 1000 x 100 = the 100k appraisals per run (53 s on
 * the quiet 2-core build machine, 71 s while other builds ran; CI's budget allows it; a quick
 * local run: {@code -Dattest.stress.perDevice=10}). A smaller
 * fleet does the same on PostgreSQL ({@code ATTEST_TEST_JDBC_URL}), also partitioned over two
 * schemas ({@link PartitionedDeviceStateStore}), where eight threads also race one token. Prints
 * appraisals/s.
 */
class VerifierConcurrencyIT {
    private final PostgresTestDatabase db = new PostgresTestDatabase();

    @AfterEach
    void dropSchemas() throws SQLException {
        db.dropSchemas();
    }

    @Test
    void inMemoryEightThreadsGiveTheOneThreadResults() throws Exception {
        run("in-memory", Integer.getInteger("attest.stress.devices", 1000), Integer.getInteger("attest.stress.perDevice", 100),
                DeviceStateStore.inMemory(), DeviceStateStore.inMemory());
    }

    @Test
    void postgresEightThreadsGiveTheOneThreadResults() throws Exception {
        PostgresTestDatabase.url();
        try (JdbcDeviceStateStore one = JdbcDeviceStateStore.open(db.freshSchemaUrl());
                JdbcDeviceStateStore eight = JdbcDeviceStateStore.open(db.freshSchemaUrl())) {
            run("PostgreSQL", Integer.getInteger("attest.stress.pgDevices", 200),
                    Integer.getInteger("attest.stress.pgPerDevice", 50), one, eight);
        }
    }

    /** The same on a store partitioned over two PostgreSQL schemas (a shard each), for both runs. */
    @Test
    void postgresPartitionedEightThreadsGiveTheOneThreadResults() throws Exception {
        PostgresTestDatabase.url();
        try (PartitionedDeviceStateStore one = PartitionedDeviceStateStore.open("stress-1", List.of(
                JdbcDeviceStateStore.open(db.freshSchemaUrl()), JdbcDeviceStateStore.open(db.freshSchemaUrl())));
                PartitionedDeviceStateStore eight = PartitionedDeviceStateStore.open("stress-8", List.of(
                        JdbcDeviceStateStore.open(db.freshSchemaUrl()), JdbcDeviceStateStore.open(db.freshSchemaUrl())))) {
            run("PostgreSQL, 2 shards", Integer.getInteger("attest.stress.pgDevices", 200),
                    Integer.getInteger("attest.stress.pgPerDevice", 50), one, eight);
        }
    }

    @Test
    void postgresSameTokenFromEightThreadsIsAcceptedOnce() throws Exception {
        PostgresTestDatabase.url();
        try (JdbcDeviceStateStore s = JdbcDeviceStateStore.open(db.freshSchemaUrl())) {
            SameTokenRace.run(s, 50);
        }
    }

    private static void run(String name, int devices, int perDevice, DeviceStateStore one, DeviceStateStore eight)
            throws Exception {
        long t0 = System.nanoTime();
        Fleet fleet = Fleet.generate(devices, perDevice);
        long t1 = System.nanoTime();
        Map<String, List<String>> single = fleet.appraiseOnOneThread(fleet.verifier(one));
        long t2 = System.nanoTime();
        Map<String, List<String>> multi = fleet.appraiseOnThreads(fleet.verifier(eight), 8);
        long t3 = System.nanoTime();
        fleet.assertExpected(single);
        assertEquals(single, multi);
        System.out.printf("%s stress: %d devices x %d = %d appraisals (mix %s); generate %.1f s; "
                + "1 thread %.0f appraisals/s; 8 threads on %d cores %.0f appraisals/s%n", name, devices, perDevice,
                fleet.size, fleet.mix(), (t1 - t0) / 1e9, fleet.size / ((t2 - t1) / 1e9),
                Runtime.getRuntime().availableProcessors(), fleet.size / ((t3 - t2) / 1e9));
    }
}
