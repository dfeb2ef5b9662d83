package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A small fleet appraised on one thread and on eight threads sharing one store (in memory, and
 * {@link JdbcDeviceStateStore} on H2) gives identical results, each the exact outcome its kind
 * must get; the same token from eight threads at once is accepted exactly once. The large runs
 * (in memory, PostgreSQL) are {@link VerifierConcurrencyIT}.
 */
class VerifierConcurrencyTest {
    private static Fleet fleet;
    private static Map<String, List<String>> single;
    private static JdbcDeviceStateStore h2;

    @BeforeAll
    static void generate() throws Exception {
        fleet = Fleet.generate(24, 40);
        single = fleet.appraiseOnOneThread(fleet.verifier(DeviceStateStore.inMemory()));
        fleet.assertExpected(single);
        h2 = JdbcDeviceStateStore.open("jdbc:h2:mem:attest-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    @AfterAll
    static void close() {
        h2.close();
    }

    @Test
    void theMixIsReal() {
        Map<Fleet.Kind, Long> mix = fleet.mix();
        assertEquals(Fleet.Kind.values().length, mix.size(), mix.toString());
        assertEquals(24 * 40, fleet.size);
    }

    @Test
    void eightThreadsInMemoryGiveTheOneThreadResults() throws Exception {
        assertEquals(single, fleet.appraiseOnThreads(fleet.verifier(DeviceStateStore.inMemory()), 8));
    }

    @Test
    void eightThreadsOnH2GiveTheOneThreadResults() throws Exception {
        assertEquals(single, fleet.appraiseOnThreads(fleet.verifier(h2), 8));
    }

    @Test
    void sameTokenFromEightThreadsIsAcceptedOnce() throws Exception {
        SameTokenRace.run(DeviceStateStore.inMemory(), 50);
        try (JdbcDeviceStateStore s = JdbcDeviceStateStore.open("jdbc:h2:mem:attest-" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1", "sa", "")) {
            SameTokenRace.run(s, 20);
        }
    }
}
