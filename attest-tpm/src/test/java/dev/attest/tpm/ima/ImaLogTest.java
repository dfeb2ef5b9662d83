package dev.attest.tpm.ima;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.tpm.HashAlg;
import dev.attest.tpm.TpmFormatException;
import dev.attest.tpm.TpmFormatException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** IMA templates, violations, replay, and policy import, with exact reasons and line numbers. */
class ImaLogTest {
    static final HexFormat HEX = HexFormat.of();

    static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    /** An ima-ng line with a correct SHA-1 template hash, built independently of the parser. */
    static String ngLine(String path, byte[] sha256) {
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        byte[] dng = ("sha256:\0").getBytes(StandardCharsets.US_ASCII);
        d.writeBytes(le32(dng.length + 32));
        d.writeBytes(dng);
        d.writeBytes(sha256);
        byte[] n = (path + "\0").getBytes(StandardCharsets.UTF_8);
        d.writeBytes(le32(n.length));
        d.writeBytes(n);
        return "10 " + HEX.formatHex(HashAlg.SHA1.hash(d.toByteArray())) + " ima-ng sha256:" + HEX.formatHex(sha256) + " " + path;
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void violationExtendsAllOnesAndIsReported() throws Exception {
        byte[] f = HashAlg.SHA256.hash(b("file"));
        String violation = "10 0000000000000000000000000000000000000000 ima-ng sha256:" + "00".repeat(32) + " /tmp/x";
        ImaLog log = ImaLog.parse(b(ngLine("/bin/sh", f) + "\n" + violation + "\n"));
        assertTrue(log.entries().get(1).violation());
        byte[] t1 = log.entries().get(0).templateHash();
        byte[] pcr = HashAlg.SHA1.hash(concat(new byte[20], t1));
        byte[] ones = new byte[20];
        Arrays.fill(ones, (byte) 0xFF);
        pcr = HashAlg.SHA1.hash(concat(pcr, ones));
        assertArrayEquals(pcr, log.replay().get(HashAlg.SHA1, 10).orElseThrow());
        ImaPolicy p = new ImaPolicy(Map.of("/bin/sh", Set.of(HEX.formatHex(f))), List.of());
        assertEquals(List.of(ImaPolicy.Verdict.MATCH, ImaPolicy.Verdict.VIOLATION),
                p.appraise(log).stream().map(ImaPolicy.Finding::verdict).toList());
    }

    static byte[] concat(byte[] a, byte[] c) {
        byte[] r = Arrays.copyOf(a, a.length + c.length);
        System.arraycopy(c, 0, r, a.length, c.length);
        return r;
    }

    @Test
    void imaTemplatePadsTheNameTo256Bytes() throws Exception {
        byte[] d = HashAlg.SHA1.hash(b("init"));
        byte[] data = Arrays.copyOf(d, 20 + 256);
        System.arraycopy(b("/sbin/init"), 0, data, 20, 10);
        String line = "10 " + HEX.formatHex(HashAlg.SHA1.hash(data)) + " ima " + HEX.formatHex(d) + " /sbin/init";
        ImaEntry e = ImaLog.parse(b(line)).entries().get(0);
        assertEquals("sha1", e.digestAlgorithm());
        assertEquals("/sbin/init", e.path());
    }

    @Test
    void imaSigWithEmptySignatureAndImaBuf() throws Exception {
        byte[] f = HashAlg.SHA256.hash(b("k"));
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        byte[] dng = concat(b("sha256:\0"), f);
        d.writeBytes(le32(dng.length));
        d.writeBytes(dng);
        d.writeBytes(le32(4));
        d.writeBytes(b("key\0"));
        d.writeBytes(le32(2));
        d.writeBytes(new byte[] {(byte) 0xAB, (byte) 0xCD});
        String line = "10 " + HEX.formatHex(HashAlg.SHA1.hash(d.toByteArray())) + " ima-buf sha256:" + HEX.formatHex(f) + " key abcd";
        assertEquals("key", ImaLog.parse(b(line)).entries().get(0).path());
        String sig = ngLine("/usr/bin/a", f).replace(" ima-ng ", " ima-sig ");
        // ima-sig with no signature: third field of length 0 changes the template data
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> ImaLog.parse(b(sig)));
        assertEquals(Reason.TEMPLATE_HASH_MISMATCH, e.reason());
    }

    @Test
    void rejectionsNameTheLine() {
        byte[] f = HashAlg.SHA256.hash(b("file"));
        String good = ngLine("/bin/sh", f);
        String[][] cases = {
            {good + "\n" + good.replace("/bin/sh", "/bin/xx"), "TEMPLATE_HASH_MISMATCH", "2"},
            {good + "\n\n" + good, "SYNTAX", "2"},
            {"x " + good.substring(3), "SYNTAX", "1"},
            {good.replace(" ima-ng ", " ima-foo "), "UNSUPPORTED_TYPE", "1"},
            {good.replace("sha256:", "md5:"), "UNKNOWN_ALGORITHM", "1"},
            {good.replace("sha256:", "sha1:"), "DIGEST_SIZE_MISMATCH", "1"},
            {good.replace("10 ", "10 AB"), "SYNTAX", "1"},
            {"10 abc ima-ng", "SYNTAX", "1"},
        };
        for (String[] c : cases) {
            TpmFormatException e = assertThrows(TpmFormatException.class, () -> ImaLog.parse(b(c[0])), c[0]);
            assertEquals(Reason.valueOf(c[1]), e.reason(), c[0]);
            assertEquals(Long.parseLong(c[2]), e.offset(), c[0]);
        }
        assertEquals(Reason.SYNTAX, assertThrows(TpmFormatException.class,
                () -> ImaLog.parse(new byte[] {'1', '0', ' ', (byte) 0xC3})).reason());
    }

    @Test
    void policyImportRejectsWhatKeylimeWouldNot() {
        String[][] cases = {
            {"{\"meta\":{\"version\":2},\"digests\":{}}", "UNSUPPORTED_TYPE"},
            {"{\"meta\":{\"version\":1},\"digests\":{\"/a\":[\"xyz\"]}}", "SYNTAX"},
            {"{\"meta\":{\"version\":1},\"excludes\":[\"(\"]}", "SYNTAX"},
            {"{\"meta\":{\"version\":1},\"surprise\":1}", "SYNTAX"},
            {"{\"meta\":{\"version\":1}} {}", "TRAILING_BYTES"},
            {"{\"meta\":{\"version\":1},\"digests\":{\"/a\":\"00\"}}", "SYNTAX"},
            {"[" .repeat(100), "SYNTAX"},
            {"{\"meta\":{\"version\":1},\"ima\":" + "[".repeat(50) + "]".repeat(50) + "}", "SYNTAX"},
        };
        for (String[] c : cases) {
            TpmFormatException e = assertThrows(TpmFormatException.class, () -> ImaPolicy.parseKeylime(b(c[0])), c[0]);
            assertEquals(Reason.valueOf(c[1]), e.reason(), c[0]);
        }
    }

    @Test
    void policyExcludesAndMismatches() throws Exception {
        byte[] f = HashAlg.SHA256.hash(b("file"));
        ImaLog log = ImaLog.parse(b(ngLine("/tmp/a", f) + "\n" + ngLine("/bin/sh", f) + "\n" + ngLine("/bin/ls", f)));
        ImaPolicy p = ImaPolicy.parseKeylime(b("{\"meta\":{\"version\":1},\"release\":0,\"digests\":{\"/bin/sh\":[\""
                + "AA".repeat(32) + "\"]},\"excludes\":[\"/tmp/.*\"],\"keyrings\":{},\"ima\":{\"ignored_keyrings\":[],"
                + "\"log_hash_alg\":\"sha1\",\"dm_policy\":null},\"ima-buf\":{},\"verification-keys\":\"\"}"));
        assertEquals(List.of(ImaPolicy.Verdict.EXCLUDED, ImaPolicy.Verdict.DIGEST_MISMATCH, ImaPolicy.Verdict.NOT_IN_POLICY),
                p.appraise(log).stream().map(ImaPolicy.Finding::verdict).toList());
        assertEquals(Set.of("aa".repeat(32)), p.digests().get("/bin/sh"));
    }

    @Test
    void sha256BankReplayUsesPerBankTemplateHashes() throws Exception {
        byte[] f = HashAlg.SHA256.hash(b("file"));
        String violation = "10 0000000000000000000000000000000000000000 ima-ng sha256:" + "00".repeat(32) + " /tmp/x";
        ImaLog log = ImaLog.parse(b(ngLine("/bin/sh", f) + "\n" + violation));
        byte[] pcr = HashAlg.SHA256.hash(concat(new byte[32], HashAlg.SHA256.hash(log.entries().get(0).templateData())));
        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 0xFF);
        pcr = HashAlg.SHA256.hash(concat(pcr, ones));
        assertArrayEquals(pcr, log.replay(HashAlg.SHA256).get(HashAlg.SHA256, 10).orElseThrow());
        assertEquals(log.replay(), log.replay(HashAlg.SHA1));
    }

    @Test
    void bootAggregateCoversPcrs0To9ForSha256() throws Exception {
        java.util.TreeMap<Integer, byte[]> bank = new java.util.TreeMap<>();
        ByteArrayOutputStream cat = new ByteArrayOutputStream();
        for (int i = 0; i < 24; i++) {
            byte[] v = HashAlg.SHA256.hash(new byte[] {(byte) i});
            bank.put(i, v);
            if (i <= 9) {
                cat.writeBytes(v);
            }
        }
        dev.attest.tpm.PcrValues pcrs = dev.attest.tpm.PcrValues.of(Map.of(HashAlg.SHA256, bank));
        ImaLog log = ImaLog.parse(b(ngLine("boot_aggregate", HashAlg.SHA256.hash(cat.toByteArray()))));
        assertEquals(java.util.Optional.of(true), log.bootAggregateMatches(pcrs));
        bank.put(9, new byte[32]);
        assertEquals(java.util.Optional.of(false), log.bootAggregateMatches(dev.attest.tpm.PcrValues.of(Map.of(HashAlg.SHA256, bank))));
        assertEquals(java.util.Optional.empty(), log.bootAggregateMatches(dev.attest.tpm.PcrValues.of(Map.of())));
    }
}
