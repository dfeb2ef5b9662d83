package dev.attest.core.collectors;

import static dev.attest.core.collectors.ImaCollectorTest.CTX;
import static dev.attest.core.collectors.ImaCollectorTest.b;
import static dev.attest.core.collectors.ImaCollectorTest.i;
import static dev.attest.core.collectors.ImaCollectorTest.t;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.testkit.Vectors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real boot event logs (go-attestation test data); event counts against tpm2_eventlog. */
class BootEventLogCollectorInteropTest {
    @TempDir
    Path dir;

    static Measurement collect(Path p) throws Exception {
        List<Measurement> ms = BootEventLogCollector.of(p).collect(CTX);
        assertEquals(1, ms.size());
        return ms.get(0);
    }

    static long tpm2EventlogCount(Path p) throws Exception {
        Process proc;
        try {
            proc = new ProcessBuilder("tpm2_eventlog", p.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (java.io.IOException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("tpm2_eventlog missing: run .ci/setup.d/20-collectors-tpm2-tools.sh", e);
            }
            Assumptions.abort("skipped: tpm2_eventlog (Debian tpm2-tools) not installed");
            return -1;
        }
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, proc.waitFor(), out);
        return out.lines().filter(l -> l.startsWith("- EventNum:")).count();
    }

    @ParameterizedTest
    @ValueSource(strings = {"crypto_agile_eventlog", "coreos_36_shielded_vm_no_secure_boot_eventlog",
            "ubuntu_2104_shielded_vm_no_secure_boot_eventlog", "sb_cert_eventlog"})
    void cryptoAgileLogsCountAsManyEventsAsTpm2Eventlog(String name) throws Exception {
        Path p = Vectors.dir("tcg-eventlog").resolve(name);
        byte[] raw = Files.readAllBytes(p);
        Measurement m = collect(p);
        assertEquals(Measurement.Status.OK, m.status(), m.toString());
        assertEquals("tcg-boot-event-log", m.component().name());
        assertEquals(Layer.FIRMWARE, m.layer());
        assertEquals(tpm2EventlogCount(p), i(m, "events"));
        assertEquals("crypto-agile", t(m, "format"));
        assertEquals(raw.length, i(m, "size"));
        assertArrayEquals(raw, b(m, "event-log"));
        assertEquals(DigestAlgorithm.SHA_256.hash(raw), m.digest(DigestAlgorithm.SHA_256).orElseThrow());
    }

    @Test
    void algorithmsComeFromTheSpecIdEvent() throws Exception {
        Measurement m = collect(Vectors.dir("tcg-eventlog").resolve("crypto_agile_eventlog"));
        assertEquals(new Value.ListValue(List.of(new Value.Text("sha256"))), m.value("algorithms").orElseThrow());
        assertEquals(27, i(m, "events"));
    }

    @Test
    void optionRomLogThatCrashesTpm2EventlogIsWalked() throws Exception {
        Measurement m = collect(Vectors.dir("tcg-eventlog").resolve("option_rom_eventlog"));
        assertEquals(Measurement.Status.OK, m.status(), m.toString());
        assertEquals("sha1", t(m, "format"));
        assertTrue(i(m, "events") > 1);
    }

    @Test
    void sha1FormatLogIsWalked() throws Exception {
        Measurement m = collect(Vectors.dir("tcg-eventlog").resolve("ebs_event_missing_eventlog"));
        assertEquals(Measurement.Status.OK, m.status(), m.toString());
        assertEquals("sha1", t(m, "format"));
        assertEquals(new Value.ListValue(List.of(new Value.Text("sha1"))), m.value("algorithms").orElseThrow());
        assertTrue(i(m, "events") > 1);
    }

    @Test
    void truncatedAndHeadlessLogsAreErrorsThatStillCarryTheBytes() throws Exception {
        Path shortLog = Vectors.dir("tcg-eventlog").resolve("short_no_action_eventlog");
        Measurement m = collect(shortLog);
        // 49 bytes: a lone StartupLocality EV_NO_ACTION event, the Spec ID event before it missing.
        assertEquals(Measurement.Status.ERROR, m.status());
        assertEquals("INVALID_SPEC_ID_EVENT", t(m, "error-reason"));
        assertEquals(0, i(m, "events"));
        assertArrayEquals(Files.readAllBytes(shortLog), b(m, "event-log"));
        // One byte short of a good log: the last event is incomplete, the 26 before it count.
        byte[] good = Files.readAllBytes(Vectors.dir("tcg-eventlog").resolve("crypto_agile_eventlog"));
        Path cut = Files.write(dir.resolve("cut"), Arrays.copyOf(good, good.length - 1));
        Measurement c = collect(cut);
        assertEquals(Measurement.Status.ERROR, c.status());
        assertEquals("TRUNCATED", t(c, "error-reason"));
        assertEquals(26, i(c, "events"));
    }

    @Test
    void oversizedLogIsRefusedAndMissingLogIsUnsupported() throws Exception {
        Path p = Vectors.dir("tcg-eventlog").resolve("crypto_agile_eventlog");
        Measurement big = BootEventLogCollector.of(p, 1000).collect(CTX).get(0);
        assertEquals(Measurement.Status.ERROR, big.status());
        assertEquals("TOO_LARGE", t(big, "error-reason"));
        assertTrue(big.value("event-log").isEmpty());
        Measurement missing = BootEventLogCollector.of(dir.resolve("none")).collect(CTX).get(0);
        assertEquals(Measurement.Status.UNSUPPORTED, missing.status());
        assertTrue(missing.message().orElseThrow().startsWith(dir.resolve("none") + " does not exist"));
    }
}
