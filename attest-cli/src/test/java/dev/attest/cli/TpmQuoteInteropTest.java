package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.testkit.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The case with a real cloud vTPM quote: go-attestation's {@code windows_gcp_shielded_vm.json}
 * (a GCP shielded VM: RSASSA-SHA1 quote over all 24 SHA-1 PCRs, empty qualifying data, the AK as
 * TPMT_PUBLIC, the machine's boot event log and PCR values), verified by {@code attest tpm
 * verify-quote} in tpm2-tools' file form and in go-attestation's Quote form.
 */
class TpmQuoteInteropTest {
    @TempDir
    Path dir;
    private final Base64.Decoder b64 = Base64.getDecoder();

    @BeforeEach
    void files() throws Exception {
        JsonNode v = new ObjectMapper().readTree(Vectors.dir("tcg-eventlog").resolve("windows_gcp_shielded_vm.json").toFile());
        Files.write(dir.resolve("ak.tpmt"), b64.decode(v.get("AK").get("Public").asText()));
        Files.write(dir.resolve("quote.msg"), b64.decode(v.get("Quote").get("Quote").asText()));
        Files.write(dir.resolve("quote.sig"), b64.decode(v.get("Quote").get("Signature").asText()));
        Files.write(dir.resolve("eventlog"), b64.decode(v.get("Log").get("Raw").asText()));
        Files.writeString(dir.resolve("go.json"), "{\"Version\":2,\"Quote\":\"" + v.get("Quote").get("Quote").asText()
                + "\",\"Signature\":\"" + v.get("Quote").get("Signature").asText() + "\"}");
        Map<String, String> sha1 = new TreeMap<>();
        for (JsonNode pcr : v.get("Log").get("PCRs")) {
            assertEquals(3, pcr.get("DigestAlg").asInt()); // Go's crypto.SHA1
            sha1.put(pcr.get("Index").asText(), HexFormat.of().formatHex(b64.decode(pcr.get("Digest").asText())));
        }
        assertEquals(24, sha1.size());
        Files.writeString(dir.resolve("pcrs.json"), new ObjectMapper().writeValueAsString(Map.of("sha1", sha1)));
    }

    private Cli.Run verify(String... more) {
        List<String> args = new ArrayList<>(List.of("tpm", "verify-quote", "--ak", dir.resolve("ak.tpmt").toString(),
                "--pcrs", dir.resolve("pcrs.json").toString(), "--eventlog", dir.resolve("eventlog").toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void theRealSha1QuoteVerifiesWithoutNonceOnlyWithAllowSha1() throws Exception {
        String[] tools = {"--quote", dir.resolve("quote.msg").toString(), "--signature", dir.resolve("quote.sig").toString()};
        Cli.Run refused = verify(tools);
        assertEquals(2, refused.code(), refused.out() + refused.err());
        assertTrue(refused.out().contains("  FAILED sha1_not_allowed: "), refused.out());
        Cli.Run ok = verify(concat(tools, "--allow-sha1"));
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().contains("  signature: rsassa-sha1\n"), ok.out());
        assertTrue(ok.out().contains("form=TPMT_PUBLIC"), ok.out());
        assertTrue(ok.out().contains("  pcrSelection: sha1:0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23\n"),
                ok.out());
        assertTrue(ok.out().contains("  nonce: not checked (no --nonce; qualifying data 0 bytes: ): freshness not checked\n"),
                ok.out());
        // the PCRs the Windows boot log extends, compared with the quoted values
        assertTrue(ok.out().contains("  eventlog: compared with the quoted PCRs sha1:0,4,5,7,11,12,13,14\n"), ok.out());
        Cli.Run empty = verify(concat(tools, "--allow-sha1", "--nonce", ""));
        assertEquals(0, empty.code(), empty.out());
        Cli.Run go = verify("--quote", dir.resolve("go.json").toString(), "--allow-sha1");
        assertEquals(0, go.code(), go.out() + go.err());
        assertTrue(go.out().contains("  quote: go-attestation\n"), go.out());
    }

    @Test
    void oneChangedByteOfTheRealQuoteIsRejected() throws Exception {
        byte[] msg = Files.readAllBytes(dir.resolve("quote.msg"));
        for (int at : new int[] {msg.length - 1, 30}) {
            byte[] changed = msg.clone();
            changed[at] ^= 1;
            Files.write(dir.resolve("changed.msg"), changed);
            Cli.Run r = verify("--quote", dir.resolve("changed.msg").toString(), "--signature",
                    dir.resolve("quote.sig").toString(), "--allow-sha1", "--json");
            assertEquals(2, r.code(), r.out() + r.err());
            JsonNode failures = new ObjectMapper().readTree(r.out()).get("failures");
            assertEquals("signature_invalid", failures.get(0).get("check").asText(), r.out());
        }
        byte[] log = Files.readAllBytes(dir.resolve("eventlog"));
        // the first event's SHA-1 digest (TCG_PCR_EVENT: pcr, type, digest): PCR 0 no longer replays
        log[8] ^= 1;
        Files.write(dir.resolve("eventlog"), log);
        Cli.Run r = verify("--quote", dir.resolve("quote.msg").toString(), "--signature", dir.resolve("quote.sig").toString(),
                "--allow-sha1");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("  FAILED eventlog_mismatch: sha1 PCR 0: quoted 51c323de0c0c694f4601cdd02beb58ff13629f74"),
                r.out());
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
