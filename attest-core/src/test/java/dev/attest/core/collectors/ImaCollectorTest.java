package dev.attest.core.collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.CollectionContext;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.testkit.Vectors;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImaCollectorTest {
    static final CollectionContext CTX = CollectionContext.of(1, Instant.parse("2026-11-24T00:00:00Z"),
            Duration.ofSeconds(30));
    static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path dir;

    static byte[] sha(String alg, byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance(alg);
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    /** Template data of ima-ng / ima-sig written out field by field (IMA-templates.rst). */
    static byte[] ngData(String alg, byte[] digest, String name, byte[] sig) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] prefix = (alg + ":\0").getBytes(StandardCharsets.US_ASCII);
        out.write(le32(prefix.length + digest.length));
        out.write(prefix);
        out.write(digest);
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        out.write(le32(n.length));
        out.write(n);
        if (sig != null) {
            out.write(le32(sig.length));
            out.write(sig);
        }
        return out.toByteArray();
    }

    static String ngLine(String template, String alg, byte[] digest, String name, byte[] sig) throws Exception {
        byte[] th = sha("SHA-1", ngData(alg, digest, name, sig));
        return "10 " + HEX.formatHex(th) + " " + template + " " + alg + ":" + HEX.formatHex(digest) + " " + name
                + (sig == null ? "" : " " + HEX.formatHex(sig));
    }

    static String imaLine(byte[] sha1, String name) throws Exception {
        byte[] padded = Arrays.copyOf(name.getBytes(StandardCharsets.UTF_8), 256);
        return "10 " + HEX.formatHex(sha("SHA-1", sha1, padded)) + " ima " + HEX.formatHex(sha1) + " " + name;
    }

    static Value v(Measurement m, String name) {
        return m.value(name).orElseThrow(() -> new AssertionError("no " + name + " in " + m));
    }

    static long i(Measurement m, String name) {
        return ((Value.Int) v(m, name)).value();
    }

    static String t(Measurement m, String name) {
        return ((Value.Text) v(m, name)).value();
    }

    static byte[] b(Measurement m, String name) {
        return ((Value.Bytes) v(m, name)).value();
    }

    static byte[] aggregate(Measurement summary, int pcr) {
        return ((Value.Bytes) ((Value.MapValue) v(summary, "aggregates")).values().get(Integer.toString(pcr))).value();
    }

    @Test
    void keylimeVectorParsesWithTemplateHashesCheckedAndAggregateReplayed() throws Exception {
        Path log = Vectors.dir("keylime").resolve("ima-log-sha256");
        List<String> lines = Files.readAllLines(log);
        List<Measurement> ms = ImaCollector.of(log).collect(CTX);
        assertEquals(3, ms.size(), ms.toString());
        Measurement summary = ms.get(0);
        assertEquals("ima-log", summary.component().name());
        assertEquals(Layer.OS, summary.layer());
        assertEquals(2, i(summary, "entries"));
        assertEquals(0, i(summary, "parse-errors"));
        assertEquals("sha1", t(summary, "aggregate-algorithm"));
        // PCR 10 replay from the listed template hashes: extend from 20 zero bytes.
        byte[] pcr = new byte[20];
        for (String l : lines) {
            pcr = sha("SHA-1", pcr, HEX.parseHex(l.split(" ")[1]));
        }
        assertArrayEquals(pcr, aggregate(summary, 10));
        Measurement boot = ms.get(1);
        assertEquals("boot_aggregate", boot.component().name());
        assertEquals(Measurement.Status.OK, boot.status());
        assertEquals("ima-ng", t(boot, "template"));
        assertEquals(0, i(boot, "index"));
        assertEquals("sha-256:f4845392eca429a4c941a6a07fc32faf843a88c5c3dfa3b9329ab8f4171d9ce3",
                boot.digest(DigestAlgorithm.SHA_256).orElseThrow().toString());
        assertArrayEquals(HEX.parseHex("6309e2c83b7814367bb3912a55e5473454623535"), b(boot, "template-hash"));
        assertEquals("/data", ms.get(2).component().name());
        assertEquals(2, i(ms.get(2), "line"));
    }

    @Test
    void allTemplatesParseIncludingNamesWithSpacesAndEmptySignatures() throws Exception {
        byte[] d256 = sha("SHA-256", "x".getBytes(StandardCharsets.UTF_8));
        byte[] d1 = sha("SHA-1", "y".getBytes(StandardCharsets.UTF_8));
        byte[] sig = HEX.parseHex("030204aabbccdd0102");
        String lines = String.join("\n",
                imaLine(d1, "/usr/bin/legacy"),
                ngLine("ima-ng", "sha1", d1, "/usr/lib/with space/lib.so", null),
                ngLine("ima-sig", "sha256", d256, "/usr/bin/signed", sig),
                ngLine("ima-sig", "sha256", d256, "/usr/bin/unsigned", new byte[0]),
                ngLine("ima-sig", "sha256", d256, "/opt/a b 00", new byte[0]),
                "10 " + "00".repeat(20) + " ima-ng sha256:" + "00".repeat(32) + " /var/log/violated") + "\n";
        Path log = Files.writeString(dir.resolve("list"), lines);
        List<Measurement> ms = ImaCollector.of(log).collect(CTX);
        assertEquals(0, i(ms.get(0), "parse-errors"), ms.toString());
        assertEquals(List.of("ima-log", "/usr/bin/legacy", "/usr/lib/with space/lib.so", "/usr/bin/signed",
                "/usr/bin/unsigned", "/opt/a b 00", "/var/log/violated"),
                ms.stream().map(m -> m.component().name()).collect(java.util.stream.Collectors.toList()));
        assertEquals("ima", t(ms.get(1), "template"));
        assertEquals("sha1", t(ms.get(1), "file-digest-algorithm"));
        assertArrayEquals(d1, b(ms.get(1), "file-digest"));
        assertTrue(ms.get(1).digests().isEmpty(), "SHA-1 is not an allowed Digest algorithm");
        assertArrayEquals(sig, b(ms.get(3), "signature"));
        assertFalse(ms.get(4).value("signature").isPresent());
        assertEquals(new Value.Bool(true), v(ms.get(6), "violation"));
        // The violation extends PCR 10 with all-ones, as the kernel does.
        byte[] pcr = new byte[20];
        for (String l : lines.split("\n")) {
            byte[] th = HEX.parseHex(l.split(" ")[1]);
            if (Arrays.equals(th, new byte[20])) {
                Arrays.fill(th, (byte) 0xff);
            }
            pcr = sha("SHA-1", pcr, th);
        }
        assertArrayEquals(pcr, aggregate(ms.get(0), 10));
    }

    @Test
    void theExactNameTravelsWhenTheComponentNameIsEscapedOrCut() throws Exception {
        byte[] d = sha("SHA-256", "z".getBytes(StandardCharsets.UTF_8));
        String tab = "/tmp/a\tb";
        String longName = "/" + "n".repeat(5000);
        String lines = ngLine("ima-ng", "sha256", d, tab, null) + "\n" + ngLine("ima-ng", "sha256", d, longName, null)
                + "\n" + ngLine("ima-ng", "sha256", d, "/plain", null) + "\n";
        List<Measurement> ms = ImaCollector.of(Files.writeString(dir.resolve("list"), lines)).collect(CTX);
        assertEquals(0, i(ms.get(0), "parse-errors"), ms.toString());
        assertEquals("/tmp/a\\x09b", ms.get(1).component().name());
        assertEquals(tab, t(ms.get(1), "name"));
        assertEquals(4096, ms.get(2).component().name().length());
        assertEquals(longName, t(ms.get(2), "name"));
        assertEquals("/plain", ms.get(3).component().name());
        assertFalse(ms.get(3).value("name").isPresent(), "no name value when the component name is exact");
    }

    @Test
    void malformedLinesAreTypedErrorsWithLineNumbersAndNeverSkipped() throws Exception {
        byte[] d = sha("SHA-256", new byte[] {1});
        String good = ngLine("ima-ng", "sha256", d, "/bin/good", null);
        String wrongHash = good.replace("/bin/good", "/bin/evil");
        String lines = String.join("\n",
                good,
                wrongHash,
                "10 zz ima-ng sha256:00 /x",
                "10 " + "11".repeat(20) + " ima-foo sha256:" + "00".repeat(32) + " /x",
                "10 " + "11".repeat(20),
                "x " + "11".repeat(20) + " ima-ng sha256:" + "00".repeat(32) + " /x",
                "10 " + "11".repeat(20) + " ima-ng sha256:" + "00".repeat(31) + " /x",
                good) + "\n";
        Path log = Files.writeString(dir.resolve("list"), lines);
        List<Measurement> ms = ImaCollector.of(log).collect(CTX);
        Measurement summary = ms.get(0);
        assertEquals(8, i(summary, "entries"));
        assertEquals(6, i(summary, "parse-errors"));
        String[] reasons = {"TEMPLATE_HASH_MISMATCH", "BAD_HEX", "UNSUPPORTED_TEMPLATE", "MISSING_FIELD",
                "BAD_NUMBER", "BAD_DIGEST"};
        for (int k = 0; k < reasons.length; k++) {
            Measurement e = ms.get(2 + k);
            assertEquals(Measurement.Status.ERROR, e.status(), e.toString());
            assertEquals("ima-log-line:" + (2 + k), e.component().name());
            assertEquals(2 + k, i(e, "line"));
            assertEquals(reasons[k], t(e, "reason"));
        }
        assertEquals(Measurement.Status.OK, ms.get(8).status());
        assertEquals(8, i(ms.get(8), "line"));
        // Lines 3 and 5 have no readable template hash: the replay can no longer be trusted.
        assertEquals(new Value.Bool(false), v(summary, "aggregate-valid"));
    }

    @Test
    void incrementalReadsReturnExactlyTheNewEntries() throws Exception {
        byte[] d = sha("SHA-256", new byte[] {2});
        String[] l = new String[6];
        for (int k = 0; k < l.length; k++) {
            l[k] = ngLine("ima-ng", "sha256", d, "/bin/f" + k, null);
        }
        Path log = Files.writeString(dir.resolve("list"), l[0] + "\n" + l[1] + "\n");
        ImaCollector c = ImaCollector.of(log);
        List<Measurement> first = c.collect(CTX);
        assertEquals(2, i(first.get(0), "new-entries"));
        assertEquals(0, c.collect(CTX).size() - 1, "nothing new");
        // Append two lines and half of a third: only complete lines are entries.
        String partial = l[4].substring(0, 20);
        Files.writeString(log, l[2] + "\n" + l[3] + "\n" + partial, StandardOpenOption.APPEND);
        List<Measurement> second = c.collect(CTX);
        assertEquals(List.of("/bin/f2", "/bin/f3"), names(second));
        assertEquals(4, i(second.get(0), "entries"));
        assertEquals(partial.length(), i(second.get(0), "pending-bytes"));
        assertEquals(2, i(second.get(1), "index"));
        Files.writeString(log, l[4].substring(20) + "\n" + l[5] + "\n", StandardOpenOption.APPEND);
        List<Measurement> third = c.collect(CTX);
        assertEquals(List.of("/bin/f4", "/bin/f5"), names(third));
        assertEquals(6, i(third.get(0), "entries"));
        assertEquals(0, i(third.get(0), "pending-bytes"));
        // The running aggregate equals a one-shot read of the whole list.
        assertArrayEquals(aggregate(ImaCollector.of(log).collect(CTX).get(0), 10), aggregate(third.get(0), 10));
        // A shorter file (a new boot's list) restarts the count.
        Files.writeString(log, l[0] + "\n");
        List<Measurement> reset = c.collect(CTX);
        assertEquals(new Value.Bool(true), v(reset.get(0), "log-reset"));
        assertEquals(1, i(reset.get(0), "entries"));
        assertEquals(List.of("/bin/f0"), names(reset));
    }

    @Test
    void perCycleBoundLeavesTheRestForTheNextCycle() throws Exception {
        byte[] d = sha("SHA-256", new byte[] {3});
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 5; k++) {
            sb.append(ngLine("ima-ng", "sha256", d, "/bin/g" + k, null)).append('\n');
        }
        ImaCollector c = ImaCollector.of(Files.writeString(dir.resolve("list"), sb), 3);
        List<Measurement> a = c.collect(CTX);
        assertEquals(List.of("/bin/g0", "/bin/g1", "/bin/g2"), names(a));
        assertEquals(new Value.Bool(true), v(a.get(0), "more-entries-pending"));
        assertEquals(List.of("/bin/g3", "/bin/g4"), names(c.collect(CTX)));
    }

    @Test
    void missingListIsUnsupportedWithReason() throws Exception {
        Path missing = dir.resolve("nope");
        List<Measurement> ms = ImaCollector.of(missing).collect(CTX);
        assertEquals(1, ms.size());
        assertEquals(Measurement.Status.UNSUPPORTED, ms.get(0).status());
        assertEquals(missing + " does not exist (IMA not enabled in the kernel, or securityfs not mounted)",
                ms.get(0).message().orElseThrow());
    }

    private static List<String> names(List<Measurement> ms) {
        return ms.subList(1, ms.size()).stream().map(m -> m.component().name())
                .collect(java.util.stream.Collectors.toList());
    }
}
