package dev.attest.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.MeasurementLogException.Reason;
import dev.attest.core.internal.MeasurementCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeasurementLogTest {
    @TempDir
    Path dir;

    private static MeasurementLog logOf(int n) throws MeasurementLogException {
        MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-1", 1000);
        for (int i = 1; i <= n; i++) {
            log.append(Fixtures.measurement(i));
        }
        return log;
    }

    @Test
    void headFollowsTheDocumentedFormula() throws Exception {
        MeasurementLog log = logOf(2);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] h = sha.digest("attest.measurement-log.v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (int i = 1; i <= 2; i++) {
            byte[] md = sha.digest(MeasurementCodec.canonical(Fixtures.measurement(i)));
            sha.update(h);
            sha.update(md);
            h = sha.digest();
        }
        assertArrayEquals(h, log.head().head().value());
        assertEquals(2, log.head().sequence());
        assertEquals("boot-1", log.head().bootId());
    }

    @Test
    void replayReachesTheHeadFromAnyEarlierHead() throws Exception {
        MeasurementLog log = logOf(6);
        List<LogEntry> all = log.entries();
        List<Measurement> ms = all.stream().map(LogEntry::measurement).toList();
        assertTrue(MeasurementLog.replay(MeasurementLog.genesis(DigestAlgorithm.SHA_256), ms).matches(log.head().head()));
        assertTrue(MeasurementLog.replay(all.get(2).head(), ms.subList(3, 6)).matches(log.head().head()));
        assertTrue(MeasurementLog.replay(log.head().head(), List.of()).matches(log.head().head()));
        // Order matters, and so does every measurement.
        List<Measurement> swapped = new ArrayList<>(ms);
        java.util.Collections.swap(swapped, 0, 1);
        assertFalse(MeasurementLog.replay(MeasurementLog.genesis(DigestAlgorithm.SHA_256), swapped).matches(log.head().head()));
        assertFalse(MeasurementLog.replay(all.get(2).head(), ms.subList(4, 6)).matches(log.head().head()));
    }

    @Test
    void verifyAcceptsTheLogsOwnEntries() throws Exception {
        MeasurementLog log = logOf(5);
        MeasurementLog.verify(log.entries(), log.head());
        List<LogEntry> all = log.entries();
        LogHead after2 = new LogHead(2, all.get(1).head(), "boot-1");
        MeasurementLog.verify(after2, all.subList(2, 5), log.head());
    }

    private static Reason failure(List<LogEntry> entries, LogHead expected) {
        return assertThrows(MeasurementLogException.class, () -> MeasurementLog.verify(entries, expected)).reason();
    }

    @Test
    void verifyNamesEachKindOfTampering() throws Exception {
        MeasurementLog log = logOf(4);
        List<LogEntry> e = log.entries();

        List<LogEntry> dropped = new ArrayList<>(e);
        dropped.remove(1);
        assertEquals(Reason.SEQUENCE_GAP, failure(dropped, log.head()));

        List<LogEntry> swapped = new ArrayList<>(e);
        swapped.set(1, e.get(2));
        swapped.set(2, e.get(1));
        assertEquals(Reason.SEQUENCE_GAP, failure(swapped, log.head()));

        List<LogEntry> modified = new ArrayList<>(e);
        modified.set(2, new LogEntry(3, Fixtures.measurement(99), e.get(2).measurementDigest(), e.get(2).head()));
        assertEquals(Reason.MEASUREMENT_DIGEST_MISMATCH, failure(modified, log.head()));

        // Rewriting the measurement and its digest consistently still breaks the chain.
        Measurement forged = Fixtures.measurement(99);
        List<LogEntry> rehashed = new ArrayList<>(e);
        rehashed.set(2, new LogEntry(3, forged, MeasurementLog.measurementDigest(DigestAlgorithm.SHA_256, forged),
                e.get(2).head()));
        assertEquals(Reason.CHAIN_BROKEN, failure(rehashed, log.head()));

        assertEquals(Reason.HEAD_MISMATCH, failure(e.subList(0, 3), log.head()));
        LogHead otherHead = new LogHead(4, DigestAlgorithm.SHA_256.hash(new byte[1]), "boot-1");
        assertEquals(Reason.HEAD_MISMATCH, failure(e, otherHead));

        LogHead sha384 = new LogHead(4, DigestAlgorithm.SHA_384.hash(new byte[1]), "boot-1");
        assertEquals(Reason.ALGORITHM_MISMATCH, failure(e, sha384));
    }

    @Test
    void windowKeepsTheLastEntriesAndItsStartReplays() throws Exception {
        MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "b", 3);
        for (int i = 1; i <= 10; i++) {
            log.append(Fixtures.measurement(i));
        }
        assertEquals(List.of(8L, 9L, 10L), log.entries().stream().map(LogEntry::sequence).toList());
        assertEquals(7, log.windowStart().sequence());
        MeasurementLog.verify(log.windowStart(), log.entries(), log.head());
        assertEquals(List.of(10L), log.entriesAfter(9).stream().map(LogEntry::sequence).toList());
    }

    @Test
    void persistedLogContinuesAfterRestartAndAcrossReboot() throws Exception {
        Path file = dir.resolve("log.cbor");
        LogHead afterFirstRun;
        try (MeasurementLog log = MeasurementLog.open(file, DigestAlgorithm.SHA_256, "boot-1", 100)) {
            log.append(List.of(Fixtures.measurement(1), Fixtures.measurement(2)));
            afterFirstRun = log.head();
        }
        MeasurementLog reference = logOf(3);
        try (MeasurementLog log = MeasurementLog.open(file, DigestAlgorithm.SHA_256, "boot-1", 100)) {
            assertEquals(afterFirstRun, log.head());
            log.append(Fixtures.measurement(3));
            assertEquals(reference.head().head(), log.head().head());
            MeasurementLog.verify(log.entries(), log.head());
        }
        try (MeasurementLog log = MeasurementLog.open(file, DigestAlgorithm.SHA_256, "boot-2", 100)) {
            assertEquals(3, log.head().sequence());
            assertEquals("boot-2", log.head().bootId());
            assertEquals(reference.head().head(), log.head().head());
        }
    }

    @Test
    void crashBetweenWriteAndRenameKeepsTheLastCompleteState() throws Exception {
        Path file = dir.resolve("log.cbor");
        LogHead committed;
        try (MeasurementLog log = MeasurementLog.open(file, DigestAlgorithm.SHA_256, "b", 100)) {
            log.append(Fixtures.measurement(1));
            committed = log.head();
        }
        // A writer died after writing (part of) the temporary file and before the rename.
        byte[] whole = Files.readAllBytes(file);
        Files.write(dir.resolve("log.cbor.tmp"), java.util.Arrays.copyOf(whole, whole.length / 2));
        try (MeasurementLog log = MeasurementLog.open(file, DigestAlgorithm.SHA_256, "b", 100)) {
            assertEquals(committed, log.head());
            assertFalse(Files.exists(dir.resolve("log.cbor.tmp")), "stale temporary file discarded");
        }
    }

    private Reason openFails(Path file) {
        return assertThrows(MeasurementLogException.class,
                () -> MeasurementLog.open(file, DigestAlgorithm.SHA_256, "b", 100)).reason();
    }

    @Test
    void damagedFileIsReportedNeverReset() throws Exception {
        Path file = dir.resolve("log.cbor");
        try (MeasurementLog log = MeasurementLog.open(file, DigestAlgorithm.SHA_256, "b", 100)) {
            log.append(List.of(Fixtures.measurement(1), Fixtures.measurement(2)));
        }
        byte[] good = Files.readAllBytes(file);

        Files.write(file, java.util.Arrays.copyOf(good, good.length - 1));
        assertEquals(Reason.CORRUPT_STATE, openFails(file));

        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 0x01;
        Files.write(file, flipped);
        assertEquals(Reason.CORRUPT_STATE, openFails(file));

        Files.write(file, new byte[0]);
        assertEquals(Reason.CORRUPT_STATE, openFails(file));

        Files.write(file, "not a log".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(Reason.CORRUPT_STATE, openFails(file));
        // The damaged file is left for inspection, not overwritten.
        assertEquals("not a log", Files.readString(file));
    }

    @Test
    void otherAlgorithmAndConcurrentOpenAreRefused() throws Exception {
        Path file = dir.resolve("log.cbor");
        try (MeasurementLog log = MeasurementLog.open(file, DigestAlgorithm.SHA_256, "b", 100)) {
            log.append(Fixtures.measurement(1));
            assertEquals(Reason.LOCKED, openFails(file));
        }
        assertEquals(Reason.STATE_MISMATCH, assertThrows(MeasurementLogException.class,
                () -> MeasurementLog.open(file, DigestAlgorithm.SHA_512, "b", 100)).reason());
    }

    @Test
    void failedPersistLeavesTheLogUnchanged() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path file = sub.resolve("log.cbor");
        try (MeasurementLog log = MeasurementLog.open(file, DigestAlgorithm.SHA_256, "b", 100)) {
            log.append(Fixtures.measurement(1));
            LogHead before = log.head();
            // A directory where the temporary file must go makes the write fail.
            Files.createDirectory(sub.resolve("log.cbor.tmp"));
            Files.writeString(sub.resolve("log.cbor.tmp").resolve("x"), "x");
            assertEquals(Reason.IO, assertThrows(MeasurementLogException.class,
                    () -> log.append(Fixtures.measurement(2))).reason());
            assertEquals(before, log.head());
            assertEquals(1, log.entries().size());
        }
    }

    @Test
    void genesisIsFixedPerAlgorithm() {
        assertTrue(MeasurementLog.genesis(DigestAlgorithm.SHA_256)
                .matches(DigestAlgorithm.SHA_256.hash("attest.measurement-log.v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
    }

}
