package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.testkit.Vectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code attest tpm eventlog} and {@code attest tpm ima} on the shared vectors, against tpm2_eventlog run now. */
class TpmLogCommandInteropTest {
    @TempDir
    Path dir;

    /** tpm2_eventlog's "pcrs:" section as {bank: {index: hex}}, the form of our --json output. */
    static Map<String, Map<String, String>> tpm2Eventlog(Path log) throws IOException, InterruptedException {
        Map<String, Map<String, String>> pcrs = new TreeMap<>();
        dev.attest.tpm.Tpm2Eventlog.pcrs(log).forEach((hash, bank) -> {
            Map<String, String> b = new TreeMap<>();
            bank.forEach((index, value) -> b.put(Integer.toString(index), java.util.HexFormat.of().formatHex(value)));
            pcrs.put(hash.name().toLowerCase(java.util.Locale.ROOT), b);
        });
        return pcrs;
    }

    @ParameterizedTest
    @ValueSource(strings = {"crypto_agile_eventlog", "sb_cert_eventlog", "ubuntu_2104_shielded_vm_no_secure_boot_eventlog"})
    void eventlogJsonEqualsTpm2Eventlog(String name) throws Exception {
        Path log = Vectors.dir("tcg-eventlog").resolve(name);
        Cli.Run r = Cli.run("tpm", "eventlog", log.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Map<String, String>> ours = new ObjectMapper().readValue(r.out(), TreeMap.class);
        Map<String, Map<String, String>> theirs = tpm2Eventlog(log);
        assertTrue(theirs.containsKey("sha256"), theirs.toString());
        assertEquals(theirs.toString(), new TreeMap<>(ours).entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> new TreeMap<>(e.getValue()),
                        (a, b) -> a, TreeMap::new)).toString());
        Cli.Run text = Cli.run("tpm", "eventlog", log.toString());
        assertEquals(0, text.code());
        assertTrue(text.out().startsWith("format: crypto_agile, "), text.out().lines().findFirst().orElse(""));
        assertTrue(text.out().contains("\npcrs:\n  sha256:\n") || text.out().contains("\npcrs:\n  sha1:\n  "), text.out());
    }

    @Test
    void malformedLogIsOneLineExitThree() throws Exception {
        Path log = Vectors.dir("tcg-eventlog").resolve("short_no_action_eventlog");
        String line = Cli.run("tpm", "eventlog", log.toString()).oneLineError(3);
        assertTrue(line.startsWith("attest: " + log + ": not a TCG event log: "), line);
        Path raw = Files.write(dir.resolve("x.log"), new byte[] {1, 2, 3});
        assertTrue(Cli.run("tpm", "eventlog", raw.toString(), "--json").oneLineError(3)
                .startsWith("attest: " + raw + ": not a TCG event log: TRUNCATED"));
    }

    @Test
    void imaListAppraisedWithAKeylimePolicy() throws Exception {
        Path d = Vectors.dir("keylime");
        Cli.Run plain = Cli.run("tpm", "ima", d.resolve("ima-log-sha256").toString());
        assertEquals(0, plain.code(), plain.err());
        assertTrue(plain.out().startsWith("2 entries, template hash sha1\npcr 10:\n  sha1: "), plain.out());
        Cli.Run appraised = Cli.run("tpm", "ima", d.resolve("ima-log-sha256").toString(), "--policy",
                d.resolve("runtime-policy-sha256.json").toString());
        assertEquals(2, appraised.code(), appraised.out());
        assertTrue(appraised.out().contains("not-in-policy line 2: /data\n"), appraised.out());
        assertTrue(appraised.out().endsWith("policy: [not-in-policy 1]\n"), appraised.out());
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"meta\": 1}");
        assertTrue(Cli.run("tpm", "ima", d.resolve("ima-log-sha256").toString(), "--policy", bad.toString())
                .oneLineError(3).startsWith("attest: " + bad + ": not a Keylime runtime policy: "));
    }
}
