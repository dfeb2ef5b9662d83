package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.attest.verify.DeviceStateStore;
import dev.attest.verify.JdbcDeviceStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;

/**
 * {@link TpmAppraiserSharedState} on a real PostgreSQL: every verifier process opens its own
 * {@link JdbcDeviceStateStore} on one schema, as restarted verifiers and replicas do. The
 * database is the one attest-verify's ITs use: {@code ATTEST_TEST_JDBC_URL} from the environment
 * or from the services file {@code .ci/setup.d/35-postgresql.sh} writes
 * ({@code ATTEST_TEST_SERVICES}); neither fails the test when {@code CI=true} and skips it
 * otherwise. (attest-verify's PostgresTestDatabase cannot be shared here: its package belongs to
 * the dev.attest.verify module these tests read.) Each test runs in schemas of its own, dropped after.
 */
class TpmAppraiserPostgresIT extends TpmAppraiserSharedState {
    private static final String ENV = "ATTEST_TEST_JDBC_URL";
    private final List<JdbcDeviceStateStore> opened = new ArrayList<>();
    private final List<String> schemas = new ArrayList<>();
    private String url;

    static String baseUrl() throws Exception {
        String u = System.getenv(ENV);
        String file = System.getenv("ATTEST_TEST_SERVICES");
        if ((u == null || u.isBlank()) && file != null && Files.isRegularFile(Path.of(file))) {
            u = Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(ENV + "="))
                    .map(l -> l.substring(ENV.length() + 1).trim()).findFirst().orElse(null);
        }
        if (u == null || u.isBlank()) {
            String how = ENV + " is not set; to run the PostgreSQL tests: sudo .ci/setup.d/35-postgresql.sh";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true requires PostgreSQL: " + how);
            }
            Assumptions.abort(how);
        }
        return u;
    }

    private String freshSchemaUrl() throws Exception {
        String base = baseUrl();
        String schema = "attest_it_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        schemas.add(schema);
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    DeviceStateStore openShared() throws Exception {
        if (url == null) {
            url = freshSchemaUrl();
        }
        return open(url);
    }

    @Override
    DeviceStateStore openFresh() throws Exception {
        return open(freshSchemaUrl());
    }

    private JdbcDeviceStateStore open(String u) {
        JdbcDeviceStateStore s = JdbcDeviceStateStore.open(u);
        assertTrue(s.toString().startsWith("JdbcDeviceStateStore[PostgreSQL"), s.toString());
        opened.add(s);
        return s;
    }

    @Override
    void closeStores() throws Exception {
        opened.forEach(JdbcDeviceStateStore::close);
        opened.clear();
    }

    @AfterEach
    void oneRowPerDeviceAndDropSchemas() throws Exception {
        if (url != null) {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT COUNT(*), MIN(appraiser), MIN(device) FROM attest_appraiser_state")) {
                r.next();
                assertEquals(1, r.getInt(1));
                assertEquals("tpm", r.getString(2));
                assertEquals("dev-1", r.getString(3));
            }
        }
        if (!schemas.isEmpty()) {
            try (Connection c = DriverManager.getConnection(baseUrl()); Statement s = c.createStatement()) {
                for (String schema : schemas) {
                    s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                }
            }
        }
    }
}
