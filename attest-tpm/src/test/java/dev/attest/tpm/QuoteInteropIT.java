package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.tpm.QuoteVerification.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quotes and PCR reads cross-checked against tpm2-tools on the same swtpm. */
class QuoteInteropIT {
    @TempDir
    static Path state;
    @TempDir
    Path dir;
    static Swtpm swtpm;
    static final HexFormat HEX = HexFormat.of();
    static final PcrSelection SEL = new PcrSelection(List.of(
            new PcrSelection.Bank(HashAlg.SHA1, new TreeSet<>(List.of(0, 16))),
            new PcrSelection.Bank(HashAlg.SHA256, new TreeSet<>(List.of(0, 1, 2, 16, 23)))));
    static final String TOOL_SEL = "sha1:0,16+sha256:0,1,2,16,23";

    @BeforeAll
    static void start() throws Exception {
        swtpm = Swtpm.start(state);
        try (Tpm tpm = swtpm.connect()) {
            // make the quoted PCRs differ from their reset values
            tpm.pcrExtend(16, HashAlg.SHA256, HashAlg.SHA256.hash("boot".getBytes(StandardCharsets.UTF_8)));
            tpm.pcrExtend(16, HashAlg.SHA1, HashAlg.SHA1.hash("boot".getBytes(StandardCharsets.UTF_8)));
            tpm.pcrExtend(23, HashAlg.SHA256, HashAlg.SHA256.hash("app".getBytes(StandardCharsets.UTF_8)));
        }
    }

    @AfterAll
    static void stop() {
        if (swtpm != null) {
            swtpm.close();
        }
    }

    @Test
    void ourPcrReadEqualsTpm2Pcrread() throws Exception {
        PcrValues ours;
        try (Tpm tpm = swtpm.connect()) {
            ours = tpm.pcrRead(SEL);
        }
        swtpm.toolOk(dir, "tpm2_pcrread", TOOL_SEL, "-o", "pcrs.bin");
        byte[] theirs = Files.readAllBytes(dir.resolve("pcrs.bin"));
        assertEquals(2 * 20 + 5 * 32, theirs.length);
        assertArrayEquals(theirs, ours.concatenate(SEL).orElseThrow());
        assertEquals(ours, PcrValues.fromConcatenation(SEL, theirs));
        assertEquals(SEL, PcrSelection.parse(SEL.encode()));
        TpmFormatException shortValues = org.junit.jupiter.api.Assertions.assertThrows(TpmFormatException.class,
                () -> PcrValues.fromConcatenation(SEL, java.util.Arrays.copyOf(theirs, theirs.length - 1)));
        assertEquals(TpmFormatException.Reason.TRUNCATED, shortValues.reason());
        assertEquals(TpmFormatException.Reason.TRAILING_BYTES, org.junit.jupiter.api.Assertions.assertThrows(
                TpmFormatException.class, () -> PcrValues.fromConcatenation(SEL, java.util.Arrays.copyOf(theirs,
                        theirs.length + 1))).reason());
        assertNotEquals(HEX.formatHex(new byte[32]), HEX.formatHex(ours.get(HashAlg.SHA256, 16).orElseThrow()));
    }

    @Test
    void ourQuoteVerifiesWithTpm2Checkquote() throws Exception {
        byte[] nonce;
        Quote quote;
        LoadedKey ak;
        PcrValues pcrs;
        try (Tpm tpm = swtpm.connect()) {
            ak = tpm.createPrimary(Hierarchy.OWNER, TpmtPublic.akEccP256Template());
            try {
                nonce = tpm.getRandom(20);
                quote = tpm.quote(ak.handle(), SEL, nonce);
                pcrs = tpm.pcrRead(SEL);
            } finally {
                tpm.flushContext(ak.handle());
            }
        }
        assertTrue(QuoteVerifier.builder().allowSha1(false).build().verify(ak.publicArea(), quote, nonce, pcrs).verified());
        Files.write(dir.resolve("ak.pub"), ak.publicArea().encodeTpm2b());
        Files.write(dir.resolve("msg"), quote.attest());
        Files.write(dir.resolve("sig"), quote.signature());
        Files.write(dir.resolve("pcrs.bin"), pcrs.concatenate(SEL).orElseThrow());
        String out = swtpm.toolOk(dir, "tpm2_checkquote", "-u", "ak.pub", "-m", "msg", "-s", "sig", "-f", "pcrs.bin",
                "-l", TOOL_SEL, "-g", "sha256", "-q", HEX.formatHex(nonce));
        assertTrue(out.contains("sha256:"), out);
        // the oracle can fail: a wrong nonce and a wrong PCR value are rejected by it too
        assertNotEquals(0, swtpm.tool(dir, "tpm2_checkquote", "-u", "ak.pub", "-m", "msg", "-s", "sig", "-f", "pcrs.bin",
                "-l", TOOL_SEL, "-g", "sha256", "-q", HEX.formatHex(new byte[20])).exitCode());
        byte[] wrong = pcrs.concatenate(SEL).orElseThrow();
        wrong[wrong.length - 1] ^= 1;
        Files.write(dir.resolve("wrong.bin"), wrong);
        assertNotEquals(0, swtpm.tool(dir, "tpm2_checkquote", "-u", "ak.pub", "-m", "msg", "-s", "sig", "-f", "wrong.bin",
                "-l", TOOL_SEL, "-g", "sha256", "-q", HEX.formatHex(nonce)).exitCode());
    }

    /** An RSA-2048 AK created under an SRK (Create + Load, reloaded from its blob) quotes; tpm2_checkquote agrees. */
    @Test
    void childRsaAkQuoteVerifiesWithBothVerifiers() throws Exception {
        byte[] nonce = HEX.parseHex("0123456789abcdef0123456789abcdef");
        KeyBlob blob;
        Quote quote;
        PcrValues pcrs;
        try (Tpm tpm = swtpm.connect()) {
            LoadedKey srk = tpm.createPrimary(Hierarchy.OWNER, TpmtPublic.srkEccP256Template());
            try {
                blob = tpm.create(srk.handle(), TpmtPublic.akRsa2048Template());
                LoadedKey ak = tpm.load(srk.handle(), blob);
                tpm.flushContext(ak.handle());
                // the blob reloads: same key, new handle
                LoadedKey again = tpm.load(srk.handle(), blob);
                try {
                    assertArrayEquals(blob.publicArea().name(), again.name());
                    quote = tpm.quote(again.handle(), SEL, nonce);
                    pcrs = tpm.pcrRead(SEL);
                } finally {
                    tpm.flushContext(again.handle());
                }
            } finally {
                tpm.flushContext(srk.handle());
            }
        }
        assertEquals(TpmtSignature.Scheme.RSASSA, quote.parseSignature().scheme());
        assertEquals(256, quote.parseSignature().rsaSignature().length);
        assertEquals(List.of(), QuoteVerifier.builder().build().verify(blob.publicArea(), quote, nonce, pcrs).failures());
        Files.write(dir.resolve("ak.pub"), blob.publicArea().encodeTpm2b());
        Files.write(dir.resolve("msg"), quote.attest());
        Files.write(dir.resolve("sig"), quote.signature());
        Files.write(dir.resolve("pcrs.bin"), pcrs.concatenate(SEL).orElseThrow());
        swtpm.toolOk(dir, "tpm2_checkquote", "-u", "ak.pub", "-m", "msg", "-s", "sig", "-f", "pcrs.bin",
                "-l", TOOL_SEL, "-g", "sha256", "-q", HEX.formatHex(nonce));
    }

    @Test
    void tpm2QuoteVerifiesWithOurVerifier() throws Exception {
        swtpm.toolOk(dir, "tpm2_createprimary", "-C", "o", "-G", "ecc256:ecdsa-sha256:null", "-g", "sha256",
                "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign", "-c", "ak.ctx");
        swtpm.toolOk(dir, "tpm2_readpublic", "-c", "ak.ctx", "-o", "ak.pub");
        String nonce = "c0ffee00112233445566778899aabbccddeeff00";
        swtpm.toolOk(dir, "tpm2_quote", "-c", "ak.ctx", "-l", TOOL_SEL, "-q", nonce, "-m", "msg", "-s", "sig", "-g", "sha256");
        swtpm.toolOk(dir, "tpm2_flushcontext", "-t");
        TpmtPublic ak = TpmtPublic.parseTpm2b(Files.readAllBytes(dir.resolve("ak.pub")));
        assertTrue(ak.isRestrictedSigningKey());
        assertEquals(TpmtPublic.akEccP256Template().objectAttributes(), ak.objectAttributes());
        Quote quote = new Quote(Files.readAllBytes(dir.resolve("msg")), Files.readAllBytes(dir.resolve("sig")));
        PcrValues pcrs;
        try (Tpm tpm = swtpm.connect()) {
            pcrs = tpm.pcrRead(SEL);
            // same seed and template: the tools' AK is our AK
            LoadedKey ours = tpm.createPrimary(Hierarchy.OWNER, TpmtPublic.akEccP256Template());
            tpm.flushContext(ours.handle());
            assertArrayEquals(ours.name(), ak.name());
        }
        QuoteVerifier verifier = QuoteVerifier.builder().build();
        QuoteVerification v = verifier.verify(ak, quote, HEX.parseHex(nonce), pcrs);
        assertEquals(List.of(), v.failures());
        assertTrue(v.verified());
        assertEquals(SEL, v.attest().orElseThrow().pcrSelect());
        assertEquals(List.of(Reason.NONCE_MISMATCH), verifier.verify(ak, quote, new byte[20], pcrs).reasons());
        // the real TPM's quote: every bit flip of every byte and every truncation is rejected
        byte[] a = quote.attest();
        byte[] s = quote.signature();
        for (int part = 0; part < 2; part++) {
            byte[] base = part == 0 ? a : s;
            for (int i = 0; i < base.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] m = base.clone();
                    m[i] ^= (byte) (1 << bit);
                    Quote mq = part == 0 ? new Quote(m, s) : new Quote(a, m);
                    assertTrue(!verifier.verify(ak, mq, HEX.parseHex(nonce), pcrs).verified(), "accepted flip at " + i);
                }
                byte[] t = java.util.Arrays.copyOf(base, i);
                Quote tq = part == 0 ? new Quote(t, s) : new Quote(a, t);
                assertTrue(!verifier.verify(ak, tq, HEX.parseHex(nonce), pcrs).verified(), "accepted truncation " + i);
            }
        }
    }
}
