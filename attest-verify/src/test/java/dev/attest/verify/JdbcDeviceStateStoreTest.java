package dev.attest.verify;

import java.util.UUID;

/** The JDBC store on H2 in memory (a fresh database per store); PostgreSQL: {@link JdbcDeviceStateStoreIT}. */
class JdbcDeviceStateStoreTest extends JdbcDeviceStateStoreContract {
    @Override
    String freshUrl() {
        return "jdbc:h2:mem:attest-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    }
}
