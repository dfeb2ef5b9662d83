package dev.attest.tpm.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.tpm.PcrValues;
import dev.attest.tpm.TpmFormatException;
import dev.attest.testkit.Vectors;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.BitSet;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A real crypto-agile log, mutated: a truncation is rejected as TRUNCATED unless it falls on an
 * event boundary (then the replay no longer reproduces the PCRs); a changed byte never escapes
 * as anything but {@link TpmFormatException}, and a changed digest byte always changes the replay.
 */
class EventLogProperties {
    static byte[] log() throws Exception {
        return Files.readAllBytes(Vectors.dir("tcg-eventlog").resolve("crypto_agile_eventlog"));
    }

    @Example
    void everyTruncationIsRejectedOrChangesTheReplay() throws Exception {
        byte[] full = log();
        EventLog parsed = EventLog.parse(full);
        PcrValues expected = parsed.replay();
        BitSet boundaries = new BitSet();
        for (Event e : parsed.events()) {
            boundaries.set((int) e.offset());
        }
        int lastExtending = parsed.events().stream().filter(e -> e.type() != 3).mapToInt(Event::index).max().orElseThrow();
        for (int n = 0; n < full.length; n++) {
            byte[] t = Arrays.copyOf(full, n);
            if (!boundaries.get(n) || n == 0) {
                TpmFormatException ex = org.junit.jupiter.api.Assertions.assertThrows(TpmFormatException.class,
                        () -> EventLog.parse(t), "prefix " + n);
                assertTrue(ex.reason() == TpmFormatException.Reason.TRUNCATED
                        || ex.reason() == TpmFormatException.Reason.INVALID_SPEC_ID_EVENT, ex.toString());
            } else if (n <= parsed.events().get(lastExtending).offset()) {
                assertNotEquals(expected, EventLog.parse(t).replay(), "prefix " + n);
            }
        }
    }

    /** Byte ranges holding the SHA-256 digest of an extending event. */
    static BitSet digestBytes(EventLog parsed) {
        BitSet b = new BitSet();
        for (Event e : parsed.events().subList(1, parsed.events().size())) {
            if (e.type() != 3) {
                int at = (int) e.offset() + 4 + 4 + 4 + 2;
                b.set(at, at + 32);
            }
        }
        return b;
    }

    @Example
    void everyPositionFlippedIsTypedOrDetected() throws Exception {
        byte[] full = log();
        EventLog parsed = EventLog.parse(full);
        PcrValues expected = parsed.replay();
        BitSet digests = digestBytes(parsed);
        for (int i = 0; i < full.length; i++) {
            check(full, i, 0xFF, expected, digests);
        }
    }

    @Property(tries = 300)
    void randomByteChangesAreTypedOrDetected(@ForAll @IntRange(min = 0, max = 14055) int pos,
            @ForAll @IntRange(min = 1, max = 255) int xor) throws Exception {
        byte[] full = log();
        EventLog parsed = EventLog.parse(full);
        check(full, pos % full.length, xor, parsed.replay(), digestBytes(parsed));
    }

    static void check(byte[] full, int i, int xor, PcrValues expected, BitSet digests) {
        byte[] m = full.clone();
        m[i] ^= (byte) xor;
        EventLog mutated;
        try {
            mutated = EventLog.parse(m);
            mutated.secureBootVariables();
            mutated.secureBootAuthorities();
            mutated.bootApplications();
        } catch (TpmFormatException e) {
            return;
        }
        if (digests.get(i)) {
            assertNotEquals(expected, mutated.replay(), "digest byte " + i);
        }
        assertEquals(mutated.events().size() > 0, true);
    }
}
