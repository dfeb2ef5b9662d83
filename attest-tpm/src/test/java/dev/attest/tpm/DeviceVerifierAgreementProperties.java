package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.CollectionContext;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.core.collectors.BootEventLogCollector;
import dev.attest.core.collectors.ImaCollector;
import dev.attest.testkit.Vectors;
import dev.attest.tpm.eventlog.EventLog;
import dev.attest.tpm.ima.ImaLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;

/**
 * The device and the verifier read one file alike, because they share one parser per format:
 * for a real event log with a byte changed, the device's {@link BootEventLogCollector} reports a
 * well-formed log with as many events exactly when the verifier's {@link EventLog#parse} accepts
 * it, and otherwise the same byte offset; for Keylime's IMA list with a character changed, the
 * device's {@link ImaCollector} reports its first malformed line exactly where the verifier's
 * {@link ImaLog#parse} fails.
 */
class DeviceVerifierAgreementProperties {
    static final CollectionContext CTX = CollectionContext.of(1, Instant.parse("2026-12-06T00:00:00Z"), java.time.Duration.ofSeconds(10));
    static final List<String> LOGS = List.of("crypto_agile_eventlog", "sb_cert_eventlog", "ebs_event_missing_eventlog",
            "ubuntu_2104_shielded_vm_no_secure_boot_eventlog");

    static long number(Measurement m, String name) {
        return ((Value.Int) m.value(name).orElseThrow()).value();
    }

    @Property(tries = 300)
    void eventLogsAreReadAlike(@ForAll @IntRange(min = 0, max = 3) int which, @ForAll @IntRange(min = 0, max = 1 << 20) int pos,
            @ForAll @IntRange(min = 0, max = 255) int xor) throws Exception {
        byte[] b = Files.readAllBytes(Vectors.dir("tcg-eventlog").resolve(LOGS.get(which)));
        b[pos % b.length] ^= (byte) xor;
        Path file = Files.createTempFile("eventlog", ".bin");
        try {
            Files.write(file, b);
            Measurement device = BootEventLogCollector.of(file).collect(CTX).get(0);
            try {
                EventLog verifier = EventLog.parse(b);
                assertEquals(Measurement.Status.OK, device.status(), device.toString());
                assertEquals(verifier.events().size(), number(device, "events"));
            } catch (TpmFormatException e) {
                assertEquals(Measurement.Status.ERROR, device.status(), e.toString());
                assertEquals(e.offset(), number(device, "error-offset"), e.toString());
            }
        } finally {
            Files.delete(file);
        }
    }

    @Property(tries = 300)
    void imaListsAreReadAlike(@ForAll @IntRange(max = 1000) int pos, @ForAll @CharRange(from = ' ', to = '~') char c)
            throws Exception {
        String list = Files.readString(Vectors.dir("keylime").resolve("ima-log-sha256"), StandardCharsets.UTF_8);
        int at = pos % list.length();
        String changed = list.charAt(at) == '\n' ? list : list.substring(0, at) + c + list.substring(at + 1);
        Path file = Files.createTempFile("ima", ".txt");
        try {
            Files.writeString(file, changed, StandardCharsets.UTF_8);
            List<Measurement> device = ImaCollector.of(file).collect(CTX);
            Optional<Long> firstBad = device.stream().skip(1).filter(m -> m.status() != Measurement.Status.OK)
                    .map(m -> number(m, "line")).findFirst();
            try {
                ImaLog verifier = ImaLog.parse(changed.getBytes(StandardCharsets.UTF_8));
                assertEquals(Optional.empty(), firstBad, changed);
                assertEquals(verifier.entries().size(), device.size() - 1);
            } catch (TpmFormatException e) {
                assertEquals(Optional.of(e.offset()), firstBad, e + " in " + changed);
            }
        } finally {
            Files.delete(file);
        }
    }
}
