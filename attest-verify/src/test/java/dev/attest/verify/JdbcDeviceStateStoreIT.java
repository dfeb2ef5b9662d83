package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
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
}
