package dev.attest.tpm.attest;

import dev.attest.core.CollectionContext;
import dev.attest.core.ComponentId;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.core.collectors.ImaCollector;
import dev.attest.testkit.Vectors;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.Quote;
import dev.attest.tpm.SoftwareQuotes;
import dev.attest.tpm.TpmsAttest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * IMA lines of every template with their template data written out field by field (independently
 * of the code under test), the PCR 10 values the kernel would have extended, and software quotes
 * over them (laid out as a TPM does, {@link SoftwareQuotes}).
 */
final class ImaFixture {
    static final HexFormat HEX = HexFormat.of();
    /**
     * PCR 10 of both banks and the boot PCRs 0-9 of the SHA-256 bank, which the
     * {@code boot_aggregate} of {@link #allKinds} is computed from.
     */
    static final PcrSelection PCR10 = new PcrSelection(List.of(new PcrSelection.Bank(HashAlg.SHA1, new TreeSet<>(Set.of(10))),
            new PcrSelection.Bank(HashAlg.SHA256, new TreeSet<>(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)))));

    /** The boot PCR {@code i} (0-9) of the SHA-256 bank in these quotes: an arbitrary, fixed value. */
    static byte[] bootPcr(int i) {
        return HashAlg.SHA256.hash(("boot PCR " + i).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The {@code boot_aggregate} line over {@link #bootPcr} 0-9, written out independently of the
     * code under test: SHA-256 of the ten PCR values in order (the kernel's
     * ima_calc_boot_aggregate for a non-SHA-1 bank).
     */
    static Line bootAggregate() {
        java.security.MessageDigest md = HashAlg.SHA256.newDigest();
        for (int i = 0; i <= 9; i++) {
            md.update(bootPcr(i));
        }
        return ng("ima-ng", "sha256", md.digest(), "boot_aggregate", null);
    }

    /** A list line and the template data the kernel hashed for it; null data for a violation. */
    record Line(String text, byte[] data) {
    }

    private ImaFixture() {
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    static byte[] ngData(String alg, byte[] digest, String name, byte[] extra) {
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        byte[] dng = (alg + ":\0").getBytes(StandardCharsets.US_ASCII);
        d.writeBytes(le32(dng.length + digest.length));
        d.writeBytes(dng);
        d.writeBytes(digest);
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        d.writeBytes(le32(n.length));
        d.writeBytes(n);
        if (extra != null) {
            d.writeBytes(le32(extra.length));
            d.writeBytes(extra);
        }
        return d.toByteArray();
    }

    static Line ng(String template, String alg, byte[] digest, String name, byte[] extra) {
        byte[] data = ngData(alg, digest, name, extra);
        String tail = extra == null || extra.length == 0 ? "" : " " + HEX.formatHex(extra);
        return new Line("10 " + HEX.formatHex(HashAlg.SHA1.hash(data)) + " " + template + " " + alg + ":"
                + HEX.formatHex(digest) + " " + name + tail, data);
    }

    /** The legacy {@code ima} template: SHA-1 digest, name zero-padded to 256 bytes, no lengths. */
    static Line legacy(byte[] sha1, String name) {
        byte[] data = Arrays.copyOf(sha1, 20 + 256);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, data, 20, n.length);
        return new Line("10 " + HEX.formatHex(HashAlg.SHA1.hash(data)) + " ima " + HEX.formatHex(sha1) + " " + name, data);
    }

    static Line violation(String name) {
        return new Line("10 " + "00".repeat(20) + " ima-ng sha256:" + "00".repeat(32) + " " + name, null);
    }

    /**
     * Keylime's two real lines (their template hashes are the kernel's; the first, its
     * {@code boot_aggregate}, is replaced by {@link #bootAggregate} over this fixture's boot
     * PCRs, since the machine's PCRs are not in the vector), then one of each other kind.
     */
    static List<Line> allKinds() throws Exception {
        List<Line> out = new ArrayList<>();
        for (String l : Files.readAllLines(Vectors.file("keylime", "ima-log-sha256"), StandardCharsets.UTF_8)) {
            String[] f = l.split(" ");
            String[] d = f[3].split(":");
            Line rebuilt = ng("ima-ng", d[0], HEX.parseHex(d[1]), f[4], null);
            if (!rebuilt.text().equals(l)) {
                throw new AssertionError("fixture template data differs from the kernel's for " + l);
            }
            out.add(rebuilt);
        }
        if (!out.get(0).text().endsWith(" boot_aggregate")) {
            throw new AssertionError("Keylime's list starts with " + out.get(0).text());
        }
        out.set(0, bootAggregate());
        byte[] d = HashAlg.SHA256.hash("content".getBytes(StandardCharsets.UTF_8));
        out.add(ng("ima-sig", "sha256", d, "/usr/bin/signed", HEX.parseHex("030204aabbccdd0102")));
        out.add(ng("ima-sig", "sha256", d, "/usr/bin/unsigned", new byte[0]));
        out.add(ng("ima-buf", "sha256", HashAlg.SHA256.hash("buf".getBytes(StandardCharsets.UTF_8)), "kexec-cmdline",
                "buf".getBytes(StandardCharsets.UTF_8)));
        out.add(legacy(HashAlg.SHA1.hash("legacy".getBytes(StandardCharsets.UTF_8)), "/usr/bin/legacy"));
        out.add(ng("ima-ng", "sha384", new byte[48], "/opt/with space", null));
        out.add(ng("ima-ng", "sha256", d, "/tmp/tab\there", null));
        out.add(violation("/var/log/written"));
        return out;
    }

    /** PCR 10 after extending {@code lines} as the kernel does, in both banks, and the SHA-256 boot PCRs 0-9. */
    static PcrValues pcr10(List<Line> lines) {
        byte[] s1 = new byte[20];
        byte[] s256 = new byte[32];
        for (Line l : lines) {
            byte[] e1;
            byte[] e256;
            if (l.data() == null) {
                e1 = new byte[20];
                e256 = new byte[32];
                Arrays.fill(e1, (byte) 0xFF);
                Arrays.fill(e256, (byte) 0xFF);
            } else {
                e1 = HashAlg.SHA1.hash(l.data());
                e256 = HashAlg.SHA256.hash(l.data());
            }
            s1 = HashAlg.SHA1.hash(concat(s1, e1));
            s256 = HashAlg.SHA256.hash(concat(s256, e256));
        }
        Map<Integer, byte[]> bank256 = new java.util.TreeMap<>(Map.of(10, s256));
        for (int i = 0; i <= 9; i++) {
            bank256.put(i, bootPcr(i));
        }
        return PcrValues.of(Map.of(HashAlg.SHA1, Map.of(10, s1), HashAlg.SHA256, bank256));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static String text(List<Line> lines) {
        StringBuilder sb = new StringBuilder();
        for (Line l : lines) {
            sb.append(l.text()).append('\n');
        }
        return sb.toString();
    }

    /** The real collector's measurements for {@code lines} written to a fresh file. */
    static List<Measurement> collect(Path dir, List<Line> lines) throws Exception {
        Path f = Files.createTempFile(dir, "ima", ".txt");
        Files.writeString(f, text(lines), StandardCharsets.UTF_8);
        return ImaCollector.of(f).collect(CollectionContext.of(1, Instant.parse("2026-11-25T12:00:00Z"),
                Duration.ofSeconds(30)));
    }

    /** A software quote of {@code pcrs} ({@link #PCR10} selection) with the given clock. */
    static Measurement quote(SoftwareQuotes q, PcrValues pcrs, PcrSelection selection, TpmsAttest.ClockInfo clock)
            throws Exception {
        TpmsAttest good = q.attest(TpmsAttest.TPM_GENERATED_VALUE, TpmsAttest.TPM_ST_ATTEST_QUOTE, q.nonce,
                HashAlg.SHA256.hash(pcrs.concatenate(selection).orElseThrow()));
        TpmsAttest a = new TpmsAttest(good.magic(), good.type(), good.qualifiedSigner(), good.extraData(), clock,
                good.firmwareVersion(), selection, good.pcrDigest());
        Quote signed = q.sign(a.encode(), HashAlg.SHA256);
        Map<String, Value> v = new TreeMap<>();
        v.put("attest", new Value.Bytes(signed.attest()));
        v.put("signature", new Value.Bytes(signed.signature()));
        v.put("ak-public", new Value.Bytes(q.ak.encodeTpm2b()));
        v.put("ak-name", new Value.Bytes(q.ak.name()));
        v.put("qualifying-data", new Value.Bytes(q.nonce));
        v.put("pcrs", Value.MapValue.of(TpmAppraiserTest.pcrMap(pcrs, selection)));
        return Measurement.builder(ComponentId.of("tpm-quote"), Layer.TPM).collector("tpm-quote")
                .time(Instant.parse("2026-11-25T12:00:00Z")).values(v).build();
    }

    static Measurement withValue(Measurement m, String name, Value v) {
        Map<String, Value> vs = new TreeMap<>(m.values());
        if (v == null) {
            vs.remove(name);
        } else {
            vs.put(name, v);
        }
        return Measurement.builder(m.component(), m.layer()).collector(m.collectorId()).time(m.time())
                .digests(m.digests()).values(vs).status(m.status(), m.message().orElse(null)).build();
    }

    static Measurement renamed(Measurement m, String component) {
        return Measurement.builder(ComponentId.of(component), m.layer()).collector(m.collectorId()).time(m.time())
                .digests(m.digests()).values(m.values()).build();
    }
}
