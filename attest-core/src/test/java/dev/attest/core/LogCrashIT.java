package dev.attest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real writer process is killed with SIGKILL at random moments while it appends and persists;
 * after every kill the log must open (never CORRUPT_STATE), replay, and continue the chain.
 */
class LogCrashIT {
    @TempDir
    Path dir;

    @Test
    void sigkillDuringAppendsNeverCorruptsTheLog() throws Exception {
        Path file = dir.resolve("log.cbor");
        Random random = new Random(42);
        long lastSequence = 0;
        for (int round = 0; round < 6; round++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), LogWriterMain.class.getName(), file.toString())
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertEquals("open " + lastSequence, first, "the writer resumes where the last one was killed");
            // The random delay starts once the first append returned: a writer slowed down by a
            // loaded machine then still makes progress in every round, and the kill still lands
            // at a random point of the appends that follow.
            assertEquals("appended " + (lastSequence + 1), out.readLine());
            Thread.sleep(50 + random.nextInt(250));
            p.destroyForcibly();
            p.waitFor();
            try (MeasurementLog log = MeasurementLog.open(file, DigestAlgorithm.SHA_256, "crash-boot", 64)) {
                assertTrue(log.head().sequence() > lastSequence, "progress in round " + round);
                MeasurementLog.verify(log.windowStart(), log.entries(), log.head());
                // Entries are the fixtures by sequence number: nothing lost or duplicated.
                for (LogEntry e : log.entries()) {
                    assertEquals(Fixtures.measurement((int) e.sequence()), e.measurement());
                }
                lastSequence = log.head().sequence();
            }
        }
    }
}
