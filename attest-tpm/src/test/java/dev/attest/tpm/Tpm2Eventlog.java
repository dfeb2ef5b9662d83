package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** tpm2-tools' {@code tpm2_eventlog} as the oracle for event log replay (shared through the test-jar). */
public final class Tpm2Eventlog {
    private static final HexFormat HEX = HexFormat.of();

    private Tpm2Eventlog() {
    }

    /** Runs tpm2_eventlog on {@code log} and returns its "pcrs:" section per bank (missing tool: see {@link Swtpm#missing}). */
    public static Map<HashAlg, SortedMap<Integer, byte[]>> pcrs(Path log) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("tpm2_eventlog", log.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            Swtpm.missing("tpm2_eventlog", e);
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "tpm2_eventlog failed on " + log);
        Map<HashAlg, SortedMap<Integer, byte[]>> pcrs = new EnumMap<>(HashAlg.class);
        boolean in = false;
        SortedMap<Integer, byte[]> bank = null;
        for (String line : out.lines().toList()) {
            if (line.equals("pcrs:")) {
                in = true;
            } else if (in && line.matches("  sha(1|256|384|512):")) {
                HashAlg h = HashAlg.valueOf(line.trim().replace(":", "").toUpperCase(java.util.Locale.ROOT));
                bank = new TreeMap<>();
                pcrs.put(h, bank);
            } else if (in && bank != null && line.matches("    \\d+\\s*: 0x[0-9a-fA-F]+")) {
                String[] kv = line.trim().split("\\s*:\\s*0x");
                bank.put(Integer.parseInt(kv[0]), HEX.parseHex(kv[1].toLowerCase(java.util.Locale.ROOT)));
            }
        }
        return pcrs;
    }
}
