package dev.attest.core.internal.eventlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.internal.proc.ProcFormatException.Reason;
import dev.attest.testkit.Vectors;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The SDK's one event log parser, fuzzed directly: arbitrary bytes and real logs (go-attestation's
 * test data) with a byte changed or cut either parse or fail with a typed reason at an offset
 * inside the input, never with another exception; every real log parses with its events in order.
 */
class TcgEventLogProperties {
    static final List<String> LOGS = List.of("crypto_agile_eventlog", "sb_cert_eventlog", "ebs_event_missing_eventlog",
            "ubuntu_2104_shielded_vm_no_secure_boot_eventlog", "coreos_36_shielded_vm_no_secure_boot_eventlog",
            "option_rom_eventlog");

    static byte[] vector(int pick) throws Exception {
        return Files.readAllBytes(Vectors.dir("tcg-eventlog").resolve(LOGS.get(Math.floorMod(pick, LOGS.size()))));
    }

    static void typed(byte[] b) {
        try {
            TcgEventLog log = TcgEventLog.parse(b);
            for (int i = 0; i < log.events().size(); i++) {
                assertEquals(i, log.events().get(i).index());
            }
        } catch (TcgEventLog.Failure f) {
            long at = f.format().position();
            assertTrue(at >= 0 && at <= b.length, f.getMessage());
            assertTrue(f.events() >= 0, f.getMessage());
        }
    }

    @Property(tries = 2000)
    void arbitraryBytesAreTyped(@ForAll @Size(max = 400) byte[] b) {
        typed(b);
    }

    @Property(tries = 1000)
    void changedRealLogsAreTyped(@ForAll int pick, @ForAll @IntRange(min = 0, max = 1 << 20) int pos,
            @ForAll @IntRange(min = 1, max = 255) int xor) throws Exception {
        byte[] b = vector(pick);
        b[pos % b.length] ^= (byte) xor;
        typed(b);
    }

    @Property(tries = 500)
    void cutRealLogsAreTruncatedOrEndOnAnEventBoundary(@ForAll int pick, @ForAll @IntRange(min = 0, max = 1 << 20) int cut)
            throws Exception {
        byte[] full = vector(pick);
        TcgEventLog whole = TcgEventLog.parse(full);
        int n = cut % full.length;
        boolean boundary = n > 0 && whole.events().stream().anyMatch(e -> e.offset() == n);
        try {
            TcgEventLog prefix = TcgEventLog.parse(Arrays.copyOf(full, n));
            assertTrue(boundary, "a cut inside an event parsed: " + n);
            for (int k = 0; k < prefix.events().size(); k++) {
                assertEquals(whole.events().get(k).offset(), prefix.events().get(k).offset());
                assertEquals(whole.events().get(k).type(), prefix.events().get(k).type());
                assertArrayEquals(whole.events().get(k).data(), prefix.events().get(k).data());
            }
        } catch (TcgEventLog.Failure f) {
            assertTrue(f.format().reason() == Reason.TRUNCATED || f.format().reason() == Reason.INVALID_SPEC_ID_EVENT,
                    f.getMessage());
            assertTrue(!boundary);
        }
    }

    @Example
    void everyRealLogParses() throws Exception {
        for (int i = 0; i < LOGS.size(); i++) {
            TcgEventLog log = TcgEventLog.parse(vector(i));
            assertTrue(log.events().size() > 1, LOGS.get(i));
        }
    }
}
