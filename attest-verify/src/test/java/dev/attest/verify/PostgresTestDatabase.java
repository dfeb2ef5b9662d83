package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.fail;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL the ITs run against, named by {@code ATTEST_TEST_JDBC_URL} (set up by
 * {@code .ci/setup.d/35-postgresql.sh}). Unset: the IT fails when {@code CI=true} and is skipped
 * otherwise. Each test gets its own schema, dropped afterwards.
 */
final class PostgresTestDatabase {
    static final String ENV = "ATTEST_TEST_JDBC_URL";
    private final List<String> schemas = new ArrayList<>();

    /** The configured URL, or skip / fail the test. */
    static String url() {
        String url = System.getenv(ENV);
        if (url == null || url.isBlank()) {
            String how = ENV + " is not set; to run the PostgreSQL tests: sudo .ci/setup.d/35-postgresql.sh && "
                    + "set -a && . target/ci-env && set +a && ./mvnw verify -pl attest-verify -am";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true requires PostgreSQL: " + how);
            }
            Assumptions.abort(how);
        }
        return url;
    }

    /** A URL whose default schema is a new, empty one. */
    String freshSchemaUrl() throws SQLException {
        String base = url();
        String schema = "attest_it_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        synchronized (schemas) {
            schemas.add(schema);
        }
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** Drops the schemas this instance created. */
    void dropSchemas() throws SQLException {
        if (schemas.isEmpty()) {
            return;
        }
        try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
            for (String schema : schemas) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
        schemas.clear();
    }
}
