package dev.attest.examples.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceQueueTest {
    @TempDir
    Path dir;

    private static byte[] ev(int i, int len) {
        byte[] b = new byte[len];
        java.util.Arrays.fill(b, (byte) i);
        return b;
    }

    @Test
    void deliversInOrderAcrossRestarts() throws Exception {
        EvidenceQueue q = EvidenceQueue.open(dir, 10, 1000);
        q.add(1, ev(1, 10));
        q.add(2, ev(2, 10));
        q.add(3, ev(3, 10));
        EvidenceQueue reopened = EvidenceQueue.open(dir, 10, 1000);
        assertEquals(3, reopened.size());
        for (int i = 1; i <= 3; i++) {
            EvidenceQueue.Item it = reopened.oldest().orElseThrow();
            assertEquals(i, it.sequence());
            assertArrayEquals(ev(i, 10), it.evidence());
            reopened.remove(it.sequence());
        }
        assertEquals(java.util.Optional.empty(), reopened.oldest());
    }

    @Test
    void fullQueueDropsOldestFirstAndCountsIt() throws Exception {
        EvidenceQueue q = EvidenceQueue.open(dir, 3, 1000);
        assertEquals(List.of(), q.add(1, ev(1, 10)));
        q.add(2, ev(2, 10));
        q.add(3, ev(3, 10));
        assertEquals(List.of(1L), q.add(4, ev(4, 10)));
        assertEquals(2, q.oldest().orElseThrow().sequence());
        // The byte bound also drops oldest first: 3 x 10 + 25 > 50 - room needed for 25 bytes.
        EvidenceQueue small = EvidenceQueue.open(dir.resolve("b"), 10, 50);
        small.add(1, ev(1, 20));
        small.add(2, ev(2, 20));
        assertEquals(List.of(1L), small.add(3, ev(3, 25)));
        assertEquals(1, small.droppedCount());
        assertEquals(1, EvidenceQueue.open(dir, 3, 1000).droppedCount());
        assertEquals(1, EvidenceQueue.open(dir.resolve("b"), 10, 50).droppedCount());
    }

    @Test
    void rejectsWhatCannotBeQueuedHonestly() throws Exception {
        EvidenceQueue q = EvidenceQueue.open(dir, 3, 100);
        q.add(5, ev(5, 10));
        assertThrows(IllegalArgumentException.class, () -> q.add(5, ev(5, 10)));
        assertThrows(IllegalArgumentException.class, () -> q.add(6, ev(6, 101)));
    }

    @Test
    void leftoverTemporaryFilesAreDiscarded() throws Exception {
        EvidenceQueue q = EvidenceQueue.open(dir, 3, 100);
        q.add(1, ev(1, 10));
        Files.write(dir.resolve("00000000000000000002.evidence.tmp"), ev(2, 5));
        EvidenceQueue again = EvidenceQueue.open(dir, 3, 100);
        assertEquals(1, again.size());
        assertEquals(false, Files.exists(dir.resolve("00000000000000000002.evidence.tmp")));
    }
}
