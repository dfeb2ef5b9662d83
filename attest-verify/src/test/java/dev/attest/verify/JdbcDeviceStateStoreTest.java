package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The JDBC store on H2 in memory (a fresh database per store); PostgreSQL: {@link JdbcDeviceStateStoreIT}. */
class JdbcDeviceStateStoreTest extends JdbcDeviceStateStoreContract {
    @Override
    String freshUrl() {
        return "jdbc:h2:mem:attest-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    }

    @Test
    void aRoleWithOnlyDataRightsOpensAMigratedSchema() throws SQLException {
        String url = freshUrl();
        open(url).close();
        execute(url, "CREATE USER verifier PASSWORD 'pw-for-the-test'");
        execute(url, "GRANT SELECT, INSERT, UPDATE, DELETE ON attest_schema_version, attest_device_state, attest_nonce, "
                + "attest_appraiser_state, attest_shard TO verifier");
        // Without the admin-only DB_CLOSE_DELAY setting (already in force for this database).
        String user = url.replace(";DB_CLOSE_DELAY=-1", "");
        try (JdbcDeviceStateStore s = JdbcDeviceStateStore.open(user, "verifier", "pw-for-the-test")) {
            assertEquals(JdbcDeviceStateStore.SCHEMA_VERSION, s.schemaVersion());
            assertTrue(s.compareAndSet("dev-1", Optional.empty(), state(1, "boot-1", T0)));
            assertTrue(s.compareAndSetAppraiserState("dev-1", "tpm", Optional.empty(), new byte[] {1}));
        }
        // Without the grants the same user could not even read the version: the test can fail.
        execute(url, "REVOKE SELECT ON attest_schema_version FROM verifier");
        StateStoreException e = assertThrows(StateStoreException.class,
                () -> JdbcDeviceStateStore.open(user, "verifier", "pw-for-the-test"));
        assertEquals(StateStoreException.Reason.MIGRATION_FAILED, e.reason());
    }
}
