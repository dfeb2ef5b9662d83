package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.Swtpm;
import dev.attest.testkit.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code attest tpm ...} against a real swtpm and tpm2-tools' files. */
class TpmCommandIT {
    private static final String NONCE = "c0ffee00112233445566778899aabbcc";
    @TempDir
    Path dir;
    private Swtpm swtpm;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("state"));
        swtpm = Swtpm.start(dir.resolve("state"));
    }

    @AfterEach
    void stop() {
        swtpm.close();
    }

    private String tcp() {
        return "127.0.0.1:" + swtpm.port();
    }

    private Path f(String name) {
        return dir.resolve(name);
    }

    /** A restricted ECC AK made by tpm2-tools, its public area in TPM2B_PUBLIC and PEM, and a tpm2_quote. */
    private void toolsQuote(String scheme, String nonce) throws Exception {
        toolsQuote("ecc256", scheme, nonce);
    }

    /**
     * A restricted AK of {@code key} ({@code ecc256}, {@code rsa2048}) and {@code scheme} (e.g.
     * {@code ecdsa-sha256}, {@code rsapss-sha256}) made by tpm2-tools, its public area in
     * TPM2B_PUBLIC and PEM, and a tpm2_quote with that scheme.
     */
    private void toolsQuote(String key, String scheme, String nonce) throws Exception {
        toolsQuote(key, scheme, "sha256:0,1,2,16+sha1:16", nonce);
    }

    /** As {@link #toolsQuote(String, String, String)}, over {@code pcrs}; {@code nonce} null: empty qualifying data. */
    private void toolsQuote(String key, String scheme, String pcrs, String nonce) throws Exception {
        swtpm.toolOk(dir, "tpm2_createprimary", "-Q", "-C", "e", "-G", key + ":" + scheme + ":null", "-g", "sha256",
                "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign", "-c", "ak.ctx");
        swtpm.toolOk(dir, "tpm2_flushcontext", "-t");
        swtpm.toolOk(dir, "tpm2_readpublic", "-Q", "-c", "ak.ctx", "-o", "ak.pub");
        swtpm.toolOk(dir, "tpm2_flushcontext", "-t");
        swtpm.toolOk(dir, "tpm2_readpublic", "-Q", "-c", "ak.ctx", "-f", "pem", "-o", "ak.pem");
        swtpm.toolOk(dir, "tpm2_flushcontext", "-t");
        swtpm.toolOk(dir, "tpm2_pcrextend", "16:sha256=" + "ab".repeat(32));
        // tpm2_quote asks for RSASSA unless told otherwise, which a key fixed to RSA-PSS refuses
        List<String> quoteCmd = new java.util.ArrayList<>(List.of("tpm2_quote", "-Q", "-c", "ak.ctx", "-l", pcrs,
                "-m", "quote.msg", "-s", "quote.sig", "-o", "quote.pcrs", "-g", scheme.substring(scheme.indexOf('-') + 1)));
        if (nonce != null) {
            quoteCmd.addAll(List.of("-q", nonce));
        }
        if (scheme.startsWith("rsapss")) {
            quoteCmd.addAll(List.of("--scheme", "rsapss"));
        }
        swtpm.toolOk(dir, quoteCmd.toArray(String[]::new));
        swtpm.toolOk(dir, "tpm2_flushcontext", "-t");
        swtpm.toolOk(dir, "tpm2_pcrread", "-Q", "sha256:0,1,2,16+sha1:16", "-o", "values.pcrs");
    }

    private Cli.Run verify(String ak, String pcrs, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("tpm", "verify-quote", "--ak", f(ak).toString(),
                "--quote", f("quote.msg").toString(), "--signature", f("quote.sig").toString(), "--pcrs", f(pcrs).toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void aTpm2QuoteVerifiesWithEveryAkAndPcrForm() throws Exception {
        toolsQuote("ecdsa-sha256", NONCE);
        byte[] tpm2b = Files.readAllBytes(f("ak.pub"));
        Files.write(f("ak.tpmt"), Arrays.copyOfRange(tpm2b, 2, tpm2b.length));
        for (String ak : List.of("ak.pub", "ak.tpmt", "ak.pem")) {
            for (String pcrs : List.of("quote.pcrs", "values.pcrs")) {
                Cli.Run r = verify(ak, pcrs, "--nonce", NONCE);
                assertEquals(0, r.code(), ak + " " + pcrs + ": " + r.out() + r.err());
                assertTrue(r.out().startsWith("quote verified\n"), r.out());
                assertTrue(r.out().contains("  pcrSelection: sha256:0,1,2,16+sha1:16\n"), r.out());
            }
        }
        Cli.Run json = verify("ak.pub", "quote.pcrs", "--nonce", NONCE, "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertTrue(j.get("verified").asBoolean());
        assertEquals("TPM2B_PUBLIC", j.get("ak").get("form").asText());
        assertEquals("ecdsa-sha256", j.get("signature").asText());
        assertEquals(0, j.get("failures").size());
        // The JSON PCR form works too: 'attest tpm pcrs --json' of the same PCRs.
        Cli.Run pcrs = Cli.run("tpm", "pcrs", "--tcp", tcp(), "--pcrs", "sha256:0,1,2,16+sha1:16", "--json");
        assertEquals(0, pcrs.code(), pcrs.err());
        Files.writeString(f("pcrs.json"), pcrs.out());
        assertEquals(0, verify("ak.pub", "pcrs.json", "--nonce", NONCE).code());
        // ...and equals what tpm2_pcrread read.
        PcrSelection sel = TpmFiles.selection("sha256:0,1,2,16+sha1:16");
        assertEquals(PcrValues.fromConcatenation(sel, Files.readAllBytes(f("values.pcrs"))), TpmFiles.pcrs(f("pcrs.json"), sel));
    }

    @Test
    void everyFailedCheckIsNamedAndExitsTwo() throws Exception {
        toolsQuote("ecdsa-sha256", NONCE);
        Cli.Run wrongNonce = verify("ak.pub", "quote.pcrs", "--nonce", "00112233445566778899");
        assertEquals(2, wrongNonce.code(), wrongNonce.out());
        assertTrue(wrongNonce.out().startsWith("quote NOT verified\n"), wrongNonce.out());
        assertTrue(wrongNonce.out().contains("  FAILED nonce_mismatch: "), wrongNonce.out());
        // PCR 16 extended again after the quote: the values no longer match the digest.
        swtpm.toolOk(dir, "tpm2_pcrextend", "16:sha256=" + "cd".repeat(32));
        swtpm.toolOk(dir, "tpm2_pcrread", "-Q", "sha256:0,1,2,16+sha1:16", "-o", "later.pcrs");
        Cli.Run later = verify("ak.pub", "later.pcrs", "--nonce", NONCE, "--json");
        assertEquals(2, later.code());
        JsonNode j = new ObjectMapper().readTree(later.out());
        assertEquals("pcr_digest_mismatch", j.get("failures").get(0).get("check").asText());
        assertEquals(1, j.get("failures").size());
        // Another TPM's AK.
        Files.createDirectories(dir.resolve("other"));
        try (Swtpm other = Swtpm.start(dir.resolve("other"))) {
            Path od = Files.createDirectories(dir.resolve("o"));
            other.toolOk(od, "tpm2_createprimary", "-Q", "-C", "e", "-G", "ecc256:ecdsa-sha256:null", "-g", "sha256",
                    "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign", "-c", "ak.ctx");
            other.toolOk(od, "tpm2_flushcontext", "-t");
            other.toolOk(od, "tpm2_readpublic", "-Q", "-c", "ak.ctx", "-o", dir.resolve("other.pub").toString());
        }
        Cli.Run otherAk = verify("other.pub", "quote.pcrs", "--nonce", NONCE);
        assertEquals(2, otherAk.code());
        assertTrue(otherAk.out().contains("  FAILED signature_invalid: "), otherAk.out());
    }

    @Test
    void sha1QuotesNeedAllowSha1() throws Exception {
        toolsQuote("ecdsa-sha1", NONCE);
        Cli.Run refused = verify("ak.pub", "quote.pcrs", "--nonce", NONCE);
        assertEquals(2, refused.code(), refused.out() + refused.err());
        assertTrue(refused.out().contains("  FAILED sha1_not_allowed: "), refused.out());
        assertTrue(refused.out().contains("--allow-sha1"), refused.out());
        Cli.Run allowed = verify("ak.pub", "quote.pcrs", "--nonce", NONCE, "--allow-sha1");
        assertEquals(0, allowed.code(), allowed.out());
        assertTrue(allowed.out().contains("  signature: ecdsa-sha1\n"), allowed.out());
    }

    @Test
    void ourQuoteRoundTripsAndTpm2CheckquoteAcceptsIt() throws Exception {
        Path out = dir.resolve("q");
        Cli.Run q = Cli.run("tpm", "quote", "--tcp", tcp(), "--nonce", NONCE, "--out-dir", out.toString());
        assertEquals(0, q.code(), q.err());
        for (String name : List.of("attest.bin", "signature.bin", "ak.pub", "pcrs.json")) {
            assertTrue(Files.size(out.resolve(name)) > 0, name);
        }
        Cli.Run dflt = Cli.run("tpm", "verify-quote", "--ak", out.resolve("ak.pub").toString(), "--quote",
                out.resolve("attest.bin").toString(), "--signature", out.resolve("signature.bin").toString(),
                "--pcrs", out.resolve("pcrs.json").toString(), "--nonce", NONCE);
        assertEquals(0, dflt.code(), dflt.out() + dflt.err());
        assertTrue(dflt.out().contains("  pcrSelection: sha256:0,1,2,3,4,5,6,7,10\n"), dflt.out());
        // tpm2_checkquote (its PCR file as tpm2_pcrread writes it; at most 8 PCRs in its values form).
        assertEquals(0, Cli.run("tpm", "quote", "--tcp", tcp(), "--nonce", NONCE, "--pcrs", "sha256:0-3,16+sha1:16",
                "--out-dir", out.toString()).code());
        swtpm.toolOk(dir, "tpm2_pcrread", "-Q", "sha256:0,1,2,3,16+sha1:16", "-o", "ours.pcrs");
        swtpm.toolOk(dir, "tpm2_checkquote", "-u", out.resolve("ak.pub").toString(), "-m", out.resolve("attest.bin").toString(),
                "-s", out.resolve("signature.bin").toString(), "-f", "ours.pcrs", "-l", "sha256:0,1,2,3,16+sha1:16",
                "-g", "sha256", "-q", NONCE);
    }

    @Test
    void eventlogMustReplayToTheQuotedPcrs() throws Exception {
        Path log = Vectors.dir("tcg-eventlog").resolve("crypto_agile_eventlog");
        byte[] raw = Files.readAllBytes(log);
        dev.attest.tpm.eventlog.EventLog parsed = dev.attest.tpm.eventlog.EventLog.parse(raw);
        try (dev.attest.tpm.Tpm tpm = swtpm.connect()) {
            for (dev.attest.tpm.eventlog.Event e : parsed.events()) {
                if (e.type() != 3) {
                    tpm.pcrExtend(e.pcr(), HashAlg.SHA256, e.digest(HashAlg.SHA256).orElseThrow());
                }
            }
        }
        Path out = dir.resolve("q");
        assertEquals(0, Cli.run("tpm", "quote", "--tcp", tcp(), "--nonce", NONCE, "--pcrs", "sha256:0-7",
                "--out-dir", out.toString()).code());
        String[] base = {"tpm", "verify-quote", "--ak", out.resolve("ak.pub").toString(), "--quote",
                out.resolve("attest.bin").toString(), "--signature", out.resolve("signature.bin").toString(), "--nonce", NONCE};
        Cli.Run replayed = Cli.run(concat(base, "--eventlog", log.toString()));
        assertEquals(0, replayed.code(), replayed.out() + replayed.err());
        assertTrue(replayed.out().contains("  eventlog: replay used as the PCR values\n"), replayed.out());
        Cli.Run both = Cli.run(concat(base, "--eventlog", log.toString(), "--pcrs", out.resolve("pcrs.json").toString()));
        assertEquals(0, both.code(), both.out());
        // One SHA-256 digest byte of the last extending event changed.
        dev.attest.tpm.eventlog.Event last = parsed.events().stream().filter(e -> e.type() != 3).reduce((a, b) -> b).orElseThrow();
        byte[] tampered = raw.clone();
        tampered[(int) last.offset() + 14] ^= 1;
        Path bad = Files.write(dir.resolve("tampered.log"), tampered);
        Cli.Run mismatch = Cli.run(concat(base, "--eventlog", bad.toString(), "--pcrs", out.resolve("pcrs.json").toString()));
        assertEquals(2, mismatch.code(), mismatch.out());
        assertTrue(mismatch.out().contains("  FAILED eventlog_mismatch: sha256 PCR " + last.pcr() + ": quoted "), mismatch.out());
        Cli.Run digest = Cli.run(concat(base, "--eventlog", bad.toString()));
        assertEquals(2, digest.code(), digest.out());
        assertTrue(digest.out().contains("  FAILED pcr_digest_mismatch: "), digest.out());
    }

    /**
     * The case: an RSASSA-SHA1 quote over all 24 SHA-1 PCRs with empty qualifying data
     * (tpm2_quote without -q) and the boot event log measured into them. Without --nonce it
     * verifies only with --allow-sha1, and says that freshness was not checked; --nonce '' checks
     * the empty qualifying data exactly; one changed byte of the quote is rejected.
     */
    @Test
    void aSha1QuoteWithEmptyQualifyingDataVerifiesWithoutNonce() throws Exception {
        Path log = Vectors.dir("tcg-eventlog").resolve("ebs_event_missing_eventlog");
        dev.attest.tpm.eventlog.EventLog parsed = dev.attest.tpm.eventlog.EventLog.parse(Files.readAllBytes(log));
        assertEquals(List.of(HashAlg.SHA1), parsed.banks());
        measure(parsed);
        toolsQuote("rsa2048", "rsassa-sha1", "sha1:0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23", null);
        String[] base = {"tpm", "verify-quote", "--ak", f("ak.pub").toString(), "--quote", f("quote.msg").toString(),
            "--signature", f("quote.sig").toString(), "--pcrs", f("quote.pcrs").toString(), "--eventlog", log.toString()};
        Cli.Run refused = Cli.run(base);
        assertEquals(2, refused.code(), refused.out() + refused.err());
        assertTrue(refused.out().contains("  FAILED sha1_not_allowed: signature over SHA-1 (pass --allow-sha1"), refused.out());
        Cli.Run ok = Cli.run(concat(base, "--allow-sha1"));
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().startsWith("quote verified\n"), ok.out());
        assertTrue(ok.out().contains("  signature: rsassa-sha1\n"), ok.out());
        assertTrue(ok.out().contains("  nonce: not checked (no --nonce; qualifying data 0 bytes: ): freshness not checked\n"),
                ok.out());
        assertTrue(ok.out().contains("  eventlog: compared with the quoted PCRs sha1:0,1,2,3,4,5,6,7\n"), ok.out());
        JsonNode j = new ObjectMapper().readTree(Cli.run(concat(base, "--allow-sha1", "--json")).out());
        assertEquals(false, j.get("fresh").asBoolean());
        assertTrue(j.get("verified").asBoolean());
        Cli.Run empty = Cli.run(concat(base, "--allow-sha1", "--nonce", ""));
        assertEquals(0, empty.code(), empty.out() + empty.err());
        assertTrue(empty.out().contains("  nonce: checked (0 bytes, too short for a challenge: freshness not checked)\n"),
                empty.out());
        Cli.Run other = Cli.run(concat(base, "--allow-sha1", "--nonce", "00"));
        assertEquals(2, other.code(), other.out());
        assertTrue(other.out().contains("  FAILED nonce_mismatch: "), other.out());
        assertEquals("attest: --nonce: 65 bytes; a quote's qualifying data holds at most 64",
                Cli.run(concat(base, "--allow-sha1", "--nonce", "00".repeat(65))).oneLineError(3));
        // One byte of the quote changed (the last byte of pcrDigest): the signature no longer verifies.
        byte[] msg = Files.readAllBytes(f("quote.msg"));
        msg[msg.length - 1] ^= 1;
        Files.write(f("quote.msg"), msg);
        Cli.Run tampered = Cli.run(concat(base, "--allow-sha1"));
        assertEquals(2, tampered.code(), tampered.out());
        assertTrue(tampered.out().contains("  FAILED signature_invalid: RSASSA/SHA1 signature does not verify"), tampered.out());
    }

    /**
     * A quote over the SHA-1, SHA-256 and SHA-384 banks is compared with the event log's replay
     * in every bank it selects: a changed SHA-384 digest is named with its bank and PCR, and a
     * log without one of the selected banks fails instead of being skipped.
     */
    @Test
    void everySelectedBankIsComparedWithTheEventLog() throws Exception {
        Path log = Vectors.dir("tcg-eventlog").resolve("ubuntu_2104_shielded_vm_no_secure_boot_eventlog");
        byte[] raw = Files.readAllBytes(log);
        dev.attest.tpm.eventlog.EventLog parsed = dev.attest.tpm.eventlog.EventLog.parse(raw);
        assertEquals(List.of(HashAlg.SHA1, HashAlg.SHA256, HashAlg.SHA384), parsed.banks());
        measure(parsed);
        toolsQuote("rsa2048", "rsassa-sha256", "sha1:0,1,2,3,4,5,6,7+sha256:0,1,2,3,4,5,6,7+sha384:0,1,2,3,4,5,6,7", NONCE);
        String[] base = {"tpm", "verify-quote", "--ak", f("ak.pub").toString(), "--quote", f("quote.msg").toString(),
            "--signature", f("quote.sig").toString(), "--pcrs", f("quote.pcrs").toString(), "--nonce", NONCE};
        Cli.Run ok = Cli.run(concat(base, "--eventlog", log.toString()));
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().contains("  eventlog: compared with the quoted PCRs sha1:0,1,2,3,4,5,6,7"
                + "+sha256:0,1,2,3,4,5,6,7+sha384:0,1,2,3,4,5,6,7\n"), ok.out());
        // The SHA-384 digest of the last extending event changed: only that bank's PCR differs.
        dev.attest.tpm.eventlog.Event last = parsed.events().stream().filter(e -> e.type() != 3).reduce((a, b) -> b).orElseThrow();
        byte[] tampered = raw.clone();
        // pcrIndex, eventType, digest count; then sha1 (2+20), sha256 (2+32), the sha384 alg id
        tampered[(int) last.offset() + 12 + 22 + 34 + 2] ^= 1;
        Path bad = Files.write(dir.resolve("tampered.log"), tampered);
        Cli.Run mismatch = Cli.run(concat(base, "--eventlog", bad.toString(), "--json"));
        assertEquals(2, mismatch.code(), mismatch.out());
        JsonNode failures = new ObjectMapper().readTree(mismatch.out()).get("failures");
        assertEquals(1, failures.size(), mismatch.out());
        assertEquals("eventlog_mismatch", failures.get(0).get("check").asText());
        assertTrue(failures.get(0).get("detail").asText().startsWith("sha384 PCR " + last.pcr() + ": quoted "), mismatch.out());
        // A log with only a SHA-256 bank cannot vouch for the quoted SHA-1 and SHA-384 PCRs.
        Cli.Run missing = Cli.run(concat(base, "--eventlog",
                Vectors.dir("tcg-eventlog").resolve("crypto_agile_eventlog").toString(), "--json"));
        assertEquals(2, missing.code(), missing.out());
        List<String> checks = new java.util.ArrayList<>();
        new ObjectMapper().readTree(missing.out()).get("failures").forEach(f -> checks.add(f.get("check").asText()
                + " " + f.get("detail").asText().split(":")[0]));
        assertTrue(checks.contains("eventlog_bank_missing sha1"), checks.toString());
        assertTrue(checks.contains("eventlog_bank_missing sha384"), checks.toString());
        // A quote of PCR 16 only: the log extends none of its PCRs, so --eventlog checked nothing.
        swtpm.toolOk(dir, "tpm2_quote", "-Q", "-c", "ak.ctx", "-l", "sha256:16", "-q", NONCE, "-m", "q16.msg",
                "-s", "q16.sig", "-o", "q16.pcrs", "-g", "sha256");
        Cli.Run none = Cli.run("tpm", "verify-quote", "--ak", f("ak.pub").toString(), "--quote", f("q16.msg").toString(),
                "--signature", f("q16.sig").toString(), "--pcrs", f("q16.pcrs").toString(), "--nonce", NONCE,
                "--eventlog", log.toString());
        assertEquals(2, none.code(), none.out());
        assertTrue(none.out().contains("  FAILED eventlog_not_covered: the quote selects none of the PCRs the event log"
                + " extends\n"), none.out());
    }

    /** A quote by a restricted RSA-PSS key made by tpm2-tools verifies with the AK in every form; SHA-1 PSS needs --allow-sha1. */
    @Test
    void rsaPssQuotesVerify() throws Exception {
        toolsQuote("rsa2048", "rsapss-sha256", NONCE);
        byte[] tpm2b = Files.readAllBytes(f("ak.pub"));
        Files.write(f("ak.tpmt"), Arrays.copyOfRange(tpm2b, 2, tpm2b.length));
        for (String ak : List.of("ak.pub", "ak.tpmt", "ak.pem")) {
            Cli.Run r = verify(ak, "quote.pcrs", "--nonce", NONCE);
            assertEquals(0, r.code(), ak + ": " + r.out() + r.err());
            assertTrue(r.out().contains("  signature: rsapss-sha256\n"), r.out());
        }
        byte[] msg = Files.readAllBytes(f("quote.msg"));
        msg[msg.length - 1] ^= 1;
        Files.write(f("quote.msg"), msg);
        Cli.Run bad = verify("ak.pub", "quote.pcrs", "--nonce", NONCE);
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.out().contains("  FAILED signature_invalid: RSAPSS/SHA256 signature does not verify"), bad.out());
    }

    /**
     * The Keylime agent's quote string, built as the agent builds it from tpm2_quote's three
     * files ('r' and the base64 parts joined by ':'), zlib-compressed and plain; its PCR blob
     * gives the PCR values. A changed byte of the TPMS_ATTEST is rejected.
     */
    @Test
    void keylimeQuoteStringsVerify() throws Exception {
        toolsQuote("rsa2048", "rsassa-sha256", NONCE);
        byte[][] parts = {Files.readAllBytes(f("quote.msg")), Files.readAllBytes(f("quote.sig")),
            Files.readAllBytes(f("quote.pcrs"))};
        for (boolean compressed : List.of(true, false)) {
            StringBuilder q = new StringBuilder("r");
            for (int i = 0; i < 3; i++) {
                q.append(i == 0 ? "" : ":").append(java.util.Base64.getEncoder().encodeToString(compressed ? zlib(parts[i]) : parts[i]));
            }
            Files.writeString(f("keylime.quote"), q.toString());
            Cli.Run r = Cli.run("tpm", "verify-quote", "--ak", f("ak.pem").toString(), "--quote", f("keylime.quote").toString(),
                    "--nonce", NONCE);
            assertEquals(0, r.code(), compressed + ": " + r.out() + r.err());
            assertTrue(r.out().contains("  quote: keylime\n"), r.out());
            assertTrue(r.out().contains("  signature: rsassa-sha256\n"), r.out());
        }
        byte[] msg = parts[0].clone();
        msg[msg.length - 1] ^= 1;
        Files.writeString(f("bad.quote"), "r" + java.util.Base64.getEncoder().encodeToString(zlib(msg)) + ":"
                + java.util.Base64.getEncoder().encodeToString(zlib(parts[1])) + ":"
                + java.util.Base64.getEncoder().encodeToString(zlib(parts[2])));
        Cli.Run bad = Cli.run("tpm", "verify-quote", "--ak", f("ak.pub").toString(), "--quote", f("bad.quote").toString(),
                "--nonce", NONCE);
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.out().contains("  FAILED signature_invalid: "), bad.out());
        Files.writeString(f("two.quote"), "r" + java.util.Base64.getEncoder().encodeToString(parts[0]) + ":"
                + java.util.Base64.getEncoder().encodeToString(parts[1]));
        assertEquals("attest: " + f("two.quote") + ": a Keylime quote is r<TPMS_ATTEST>:<TPMT_SIGNATURE>:<PCR blob>; found 2 parts",
                Cli.run("tpm", "verify-quote", "--ak", f("ak.pub").toString(), "--quote", f("two.quote").toString()).oneLineError(3));
        byte[] cut = zlib(parts[2]);
        Files.writeString(f("cut.quote"), "r" + java.util.Base64.getEncoder().encodeToString(parts[0]) + ":"
                + java.util.Base64.getEncoder().encodeToString(parts[1]) + ":"
                + java.util.Base64.getEncoder().encodeToString(Arrays.copyOf(cut, cut.length - 4)));
        assertEquals("attest: " + f("cut.quote") + ": Keylime PCR blob: zlib stream ends early",
                Cli.run("tpm", "verify-quote", "--ak", f("ak.pub").toString(), "--quote", f("cut.quote").toString()).oneLineError(3));
    }

    /**
     * go-attestation's {@code attest.Quote} as encoding/json writes it, with the AK as
     * go-attestation hands it out (AttestationParameters.Public, a TPMT_PUBLIC): an ECDSA quote
     * verifies; a Version other than 2 is refused.
     */
    @Test
    void goAttestationQuotesVerify() throws Exception {
        toolsQuote("ecdsa-sha256", NONCE);
        byte[] tpm2b = Files.readAllBytes(f("ak.pub"));
        Files.write(f("ak.tpmt"), Arrays.copyOfRange(tpm2b, 2, tpm2b.length));
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        Files.writeString(f("go.json"), "{\"Version\":2,\"Quote\":\"" + b64.encodeToString(Files.readAllBytes(f("quote.msg")))
                + "\",\"Signature\":\"" + b64.encodeToString(Files.readAllBytes(f("quote.sig"))) + "\"}");
        Cli.Run r = Cli.run("tpm", "verify-quote", "--ak", f("ak.tpmt").toString(), "--quote", f("go.json").toString(),
                "--pcrs", f("quote.pcrs").toString(), "--nonce", NONCE);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("  quote: go-attestation\n"), r.out());
        assertTrue(r.out().contains("  ak: {"), r.out());
        Files.writeString(f("go1.json"), Files.readString(f("go.json")).replace("\"Version\":2", "\"Version\":1"));
        assertEquals("attest: " + f("go1.json") + ": go-attestation Quote Version must be 2 (TPMVersion20), got 1",
                Cli.run("tpm", "verify-quote", "--ak", f("ak.tpmt").toString(), "--quote", f("go1.json").toString(),
                        "--pcrs", f("quote.pcrs").toString()).oneLineError(3));
        assertEquals("attest: " + f("go.json") + ": this quote form carries its signature; drop --signature",
                Cli.run("tpm", "verify-quote", "--ak", f("ak.tpmt").toString(), "--quote", f("go.json").toString(),
                        "--signature", f("quote.sig").toString(), "--pcrs", f("quote.pcrs").toString()).oneLineError(3));
    }

    private static byte[] zlib(byte[] b) {
        java.util.zip.Deflater d = new java.util.zip.Deflater();
        d.setInput(b);
        d.finish();
        byte[] buf = new byte[b.length + 64];
        int n = d.deflate(buf);
        d.end();
        return Arrays.copyOf(buf, n);
    }

    /** Extends every event of {@code log} into the swtpm in each of its banks, as firmware would have. */
    private void measure(dev.attest.tpm.eventlog.EventLog log) throws Exception {
        try (dev.attest.tpm.Tpm tpm = swtpm.connect()) {
            for (dev.attest.tpm.eventlog.Event e : log.events()) {
                if (e.type() != 3) {
                    for (HashAlg h : log.banks()) {
                        tpm.pcrExtend(e.pcr(), h, e.digest(h).orElseThrow());
                    }
                }
            }
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void unusableInputIsOneLineAndExitThree() throws Exception {
        toolsQuote("ecdsa-sha256", NONCE);
        byte[] msg = Files.readAllBytes(f("quote.msg"));
        Files.write(f("short.msg"), Arrays.copyOf(msg, msg.length - 1));
        Cli.Run truncated = Cli.run("tpm", "verify-quote", "--ak", f("ak.pub").toString(), "--quote", f("short.msg").toString(),
                "--signature", f("quote.sig").toString(), "--pcrs", f("quote.pcrs").toString());
        assertTrue(truncated.oneLineError(3).startsWith("attest: " + f("short.msg") + ": not a TPMS_ATTEST: TRUNCATED at byte "),
                truncated.err());
        Cli.Run noPcrs = Cli.run("tpm", "verify-quote", "--ak", f("ak.pub").toString(), "--quote", f("quote.msg").toString(),
                "--signature", f("quote.sig").toString());
        assertEquals("attest: give --pcrs or --eventlog: without PCR values the quote's PCR digest cannot be checked",
                noPcrs.oneLineError(3));
        Files.writeString(f("garbage.pub"), "not a key");
        Cli.Run badAk = verify("garbage.pub", "quote.pcrs");
        assertTrue(badAk.oneLineError(3).startsWith("attest: " + f("garbage.pub") + ": not a TPM2B_PUBLIC, TPMT_PUBLIC or PEM"),
                badAk.err());
        Files.write(f("few.pcrs"), new byte[32]);
        assertTrue(verify("ak.pub", "few.pcrs").oneLineError(3).startsWith("attest: " + f("few.pcrs") + ": 32 bytes do not match"));
        swtpm.close();
        Cli.Run gone = Cli.run("tpm", "pcrs", "--tcp", tcp());
        assertTrue(gone.oneLineError(3).startsWith("attest: no TPM reachable at tcp:" + tcp() + ": "), gone.err());
        assertEquals("attest: no TPM reachable at " + f("tpmrm7") + ": no such device",
                Cli.run("tpm", "pcrs", "--device", f("tpmrm7").toString()).oneLineError(3));
        assertEquals(false, Files.exists(f("tpmrm7")));
        assertEquals("attest: --tcp: expected HOST:PORT, got \"localhost\"", Cli.run("tpm", "pcrs", "--tcp", "localhost").oneLineError(3));
        assertEquals("attest: --pcrs: \"0-99\" is not within 0..23",
                Cli.run("tpm", "quote", "--tcp", tcp(), "--nonce", NONCE, "--pcrs", "sha256:0-99", "--out-dir", "x").oneLineError(3));
        assertEquals(HashAlg.SHA256, TpmFiles.bank(null, "sha256"));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
