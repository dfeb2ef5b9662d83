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
 * The real PostgreSQL the ITs run against (shared with other modules' ITs through attest-verify's
 * test-jar): the URL in the environment variable {@code ATTEST_TEST_JDBC_URL}, else the line of
 * that name in the services file {@code .ci/setup.d/35-postgresql.sh} writes
 * ({@code target/test-services}, named to the tests by the build as {@code ATTEST_TEST_SERVICES}).
 * Neither: the IT fails when {@code CI=true} and is skipped otherwise. Each
 * {@link #freshSchemaUrl()} is a schema of its own, dropped by {@link #dropSchemas()}.
 */
public final class PostgresTestDatabase {
    /** The variable (and services-file key) naming the database. */
    public static final String ENV = "ATTEST_TEST_JDBC_URL";
    private final List<String> schemas = new ArrayList<>();

    /** A helper that has created no schema yet. */
    public PostgresTestDatabase() {
    }

    /** The configured URL, or skip / fail the test. */
    public static String url() {
        String url = System.getenv(ENV);
        if (url == null || url.isBlank()) {
            url = fromServicesFile();
        }
        if (url == null || url.isBlank()) {
            String how = ENV + " is not set; to run the PostgreSQL tests: sudo .ci/setup.d/35-postgresql.sh"
                    + " (it writes target/test-services), or run bin/attest-test";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true requires PostgreSQL: " + how);
            }
            Assumptions.abort(how);
        }
        return url;
    }

    private static String fromServicesFile() {
        String file = System.getenv("ATTEST_TEST_SERVICES");
        if (file == null || file.isBlank() || !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(file))) {
            return null;
        }
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(file))) {
                if (line.startsWith(ENV + "=")) {
                    return line.substring(ENV.length() + 1).trim();
                }
            }
        } catch (java.io.IOException e) {
            fail("cannot read " + file + ": " + e);
        }
        return null;
    }

    /** A URL whose default schema is a new, empty one. */
    public String freshSchemaUrl() throws SQLException {
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
    public void dropSchemas() throws SQLException {
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
