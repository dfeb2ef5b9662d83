package dev.attest.tpm.eventlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.TpmFormatException;
import dev.attest.testkit.Vectors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Real boot event logs (go-attestation test data) replayed and compared with tpm2_eventlog, run now. */
class EventLogInteropTest {
    static final HexFormat HEX = HexFormat.of();


    static Map<HashAlg, SortedMap<Integer, byte[]>> tpm2Eventlog(Path log) throws IOException, InterruptedException {
        return dev.attest.tpm.Tpm2Eventlog.pcrs(log);
    }

    /** tpm2_eventlog's events as blocks of "key: value" lines (first occurrence of each key kept, digests listed). */
    static java.util.List<Map<String, String>> tpm2EventlogEvents(Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tpm2_eventlog", log.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        java.util.List<Map<String, String>> events = new java.util.ArrayList<>();
        Map<String, String> cur = null;
        String prev = "";
        String alg = null;
        for (String line : out.lines().toList()) {
            if (line.equals("pcrs:")) {
                break;
            }
            if (line.startsWith("- EventNum:") || (line.startsWith("  PCRIndex:") && !prev.startsWith("- EventNum:"))) {
                cur = new java.util.LinkedHashMap<>();
                events.add(cur);
            }
            prev = line;
            if (cur == null) {
                continue;
            }
            String t = line.trim();
            if (t.startsWith("- AlgorithmId: ")) {
                alg = t.substring("- AlgorithmId: ".length());
            } else if (t.startsWith("Digest: ") && alg != null) {
                cur.put("Digest." + alg, t.substring(8).replace("\"", ""));
                alg = null;
            } else {
                int c = t.indexOf(": ");
                if (c > 0) {
                    cur.putIfAbsent(t.substring(0, c), t.substring(c + 2).replace("\"", "").replace("'", ""));
                }
            }
        }
        return events;
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"sb_cert_eventlog, true, 3, 3",
            "coreos_36_shielded_vm_no_secure_boot_eventlog, false, 2, 2",
            "ubuntu_2104_shielded_vm_no_secure_boot_eventlog, false, 2, 1", "crypto_agile_eventlog, , 2, 0",
            "ebs_event_missing_eventlog, false, 1, 0"})
    void secureBootVariablesAndBootApplicationsMatchTpm2Eventlog(String name, Boolean secureBoot, int bootApps,
            int authorityCount)
            throws Exception {
        Path p = Vectors.dir("tcg-eventlog").resolve(name);
        EventLog log = EventLog.parse(Files.readAllBytes(p));
        java.util.List<Map<String, String>> theirs = tpm2EventlogEvents(p);
        assertEquals(log.events().size(), theirs.size());
        java.util.List<Map<String, String>> vars = theirs.stream()
                .filter(e -> "EV_EFI_VARIABLE_DRIVER_CONFIG".equals(e.get("EventType"))).toList();
        java.util.List<SecureBootVariable> ours = log.secureBootVariables();
        assertEquals(vars.size(), ours.size());
        for (int i = 0; i < ours.size(); i++) {
            assertEquals(vars.get(i).get("UnicodeName"), ours.get(i).name());
            assertEquals(vars.get(i).get("VariableName"), ours.get(i).vendorGuid());
            assertEquals(vars.get(i).getOrDefault("VariableData", ""), HEX.formatHex(ours.get(i).data()));
        }
        java.util.List<Map<String, String>> auth = theirs.stream()
                .filter(e -> "EV_EFI_VARIABLE_AUTHORITY".equals(e.get("EventType"))).toList();
        java.util.List<SecureBootVariable> ourAuth = log.secureBootAuthorities();
        assertEquals(auth.size(), ourAuth.size());
        for (int i = 0; i < ourAuth.size(); i++) {
            assertEquals(auth.get(i).get("UnicodeName"), ourAuth.get(i).name());
            assertEquals(auth.get(i).get("VariableName"), ourAuth.get(i).vendorGuid());
            assertEquals(auth.get(i).getOrDefault("VariableData", ""), HEX.formatHex(ourAuth.get(i).data()));
        }
        assertEquals(authorityCount, ourAuth.size());
        java.util.List<Map<String, String>> apps = theirs.stream()
                .filter(e -> "EV_EFI_BOOT_SERVICES_APPLICATION".equals(e.get("EventType"))).toList();
        java.util.List<BootApplication> ourApps = log.bootApplications();
        assertEquals(apps.size(), ourApps.size());
        for (int i = 0; i < ourApps.size(); i++) {
            for (EventDigest d : ourApps.get(i).digests()) {
                String alg = d.hash().orElseThrow().name().toLowerCase(java.util.Locale.ROOT);
                assertEquals(apps.get(i).get("Digest." + alg), HEX.formatHex(d.digest()));
            }
            assertEquals(Long.parseLong(apps.get(i).get("ImageLengthInMemory")), ourApps.get(i).imageLength());
        }
        assertEquals(java.util.Optional.ofNullable(secureBoot), log.secureBootEnabled());
        assertEquals(bootApps, ourApps.size());
        assertEquals(java.util.List.of("SecureBoot", "PK", "KEK", "db", "dbx"),
                ours.stream().map(SecureBootVariable::name).limit(5).toList());
        // every variable event's digests are the hash of its UEFI_VARIABLE_DATA
        assertEquals(true, ours.stream().allMatch(SecureBootVariable::digestsMatchData));
    }

    static void assertSamePcrs(Map<HashAlg, SortedMap<Integer, byte[]>> expected, PcrValues actual) {
        Map<HashAlg, SortedMap<Integer, byte[]>> ours = actual.asMap();
        assertEquals(expected.keySet(), ours.keySet());
        for (HashAlg h : expected.keySet()) {
            assertEquals(expected.get(h).keySet(), ours.get(h).keySet(), h.toString());
            for (int pcr : expected.get(h).keySet()) {
                assertArrayEquals(expected.get(h).get(pcr), ours.get(h).get(pcr), h + ":" + pcr);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"crypto_agile_eventlog", "coreos_36_shielded_vm_no_secure_boot_eventlog",
            "ubuntu_2104_shielded_vm_no_secure_boot_eventlog", "sb_cert_eventlog", "ebs_event_missing_eventlog"})
    void replayEqualsTpm2Eventlog(String name) throws Exception {
        Path p = Vectors.dir("tcg-eventlog").resolve(name);
        EventLog log = EventLog.parse(Files.readAllBytes(p));
        Map<HashAlg, SortedMap<Integer, byte[]>> expected = tpm2Eventlog(p);
        assertEquals(false, expected.isEmpty());
        assertSamePcrs(expected, log.replay());
    }

    @Test
    void shortNoActionLogIsRejected() throws Exception {
        byte[] b = Files.readAllBytes(Vectors.dir("tcg-eventlog").resolve("short_no_action_eventlog"));
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> EventLog.parse(b));
        assertEquals(TpmFormatException.Reason.INVALID_SPEC_ID_EVENT, e.reason());
        assertEquals(0, e.offset());
    }

    /**
     * tpm2_eventlog segfaults on this Windows log at its records with PCR index 0xFFFFFFFF
     * (EV_NO_ACTION "WBCL" data). We parse all of it; its PCR values are compared with
     * tpm2_eventlog on the prefix before those records, since nothing after them extends a PCR.
     */
    @Test
    void optionRomLogParsesWhereTpm2EventlogCrashes(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        byte[] b = Files.readAllBytes(Vectors.dir("tcg-eventlog").resolve("option_rom_eventlog"));
        EventLog log = EventLog.parse(b);
        assertEquals(EventLog.Format.SHA1, log.format());
        Event firstNoPcr = log.events().stream().filter(e -> e.pcr() == EventLog.NO_PCR).findFirst().orElseThrow();
        assertEquals(72361, firstNoPcr.offset());
        java.util.List<Event> after = log.events().subList(firstNoPcr.index(), log.events().size());
        assertEquals(true, after.stream().allMatch(e -> e.pcr() == EventLog.NO_PCR && e.type() == 3), after.toString());
        Path prefix = tmp.resolve("prefix");
        Files.write(prefix, java.util.Arrays.copyOf(b, (int) firstNoPcr.offset()));
        assertSamePcrs(tpm2Eventlog(prefix), log.replay());
    }
}
