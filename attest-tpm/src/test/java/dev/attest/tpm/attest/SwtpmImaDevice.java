package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.CollectionContext;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.core.collectors.ImaCollector;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EatProfile;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.testkit.Vectors;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.Swtpm;
import dev.attest.tpm.Tpm;
import dev.attest.tpm.TpmtPublic;
import dev.attest.tpm.ima.ImaPolicy;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.DeviceStateStore;
import dev.attest.verify.Finding;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.Severity;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A device for the end-to-end IMA tests: swtpm, an IMA list file whose lines the test appends and
 * extends into PCR 10 as the kernel does (SHA-1 bank the template hash, SHA-256 bank the hash of
 * the template data, a violation all ones), the agent's {@link TpmQuoteCollector} and
 * {@link ImaCollector} (incremental across cycles), a signing key and a hash-chained log; and
 * verifiers for it with {@link TpmAppraiser} and the AK enrolled. Keylime's real list is
 * {@link #real}. Closing it stops swtpm.
 */
final class SwtpmImaDevice implements AutoCloseable {
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final HexFormat HEX = HexFormat.of();
    /** Both banks of PCR 10, so both replays are checked, and the boot PCRs 0-7. */
    static final PcrSelection PCRS = new PcrSelection(List.of(
            new PcrSelection.Bank(HashAlg.SHA1, new TreeSet<>(Set.of(10))),
            new PcrSelection.Bank(HashAlg.SHA256, new TreeSet<>(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 10)))));

    /** Keylime's real IMA list (its template hashes are the kernel's). */
    final List<String> real;
    /** The list file the agent's collector reads. */
    final Path list;
    final SigningKey key;
    final TpmtPublic enrolledAk;
    private final Path dir;
    private final Swtpm swtpm;
    private final ImaCollector ima;
    private final MeasurementLog mlog;
    private LogHead sent;
    private long cycle;

    private SwtpmImaDevice(Path dir) throws Exception {
        this.dir = dir;
        Files.createDirectories(dir.resolve("tpm"));
        swtpm = Swtpm.start(dir.resolve("tpm"));
        real = Files.readAllLines(Vectors.file("keylime", "ima-log-sha256"), StandardCharsets.UTF_8);
        list = dir.resolve("ascii_runtime_measurements");
        Files.writeString(list, "");
        ima = ImaCollector.of(list);
        key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("dev-1")));
        mlog = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-1", 4096);
        sent = mlog.head();
        try (TpmQuoteCollector c = quoteCollector()) {
            c.collect(context());
            enrolledAk = c.attestationKey().orElseThrow();
        }
    }

    /** Starts swtpm with its state under {@code dir}. */
    static SwtpmImaDevice start(Path dir) throws Exception {
        return new SwtpmImaDevice(dir);
    }

    /** A consistent ima-ng line for {@code path} (SHA-1 template hash over its template data). */
    static String ngLine(String path, String content) {
        byte[] d = HashAlg.SHA256.hash(content.getBytes(StandardCharsets.UTF_8));
        return "10 " + HEX.formatHex(HashAlg.SHA1.hash(ImaFixture.ngData("sha256", d, path, null))) + " ima-ng sha256:"
                + HEX.formatHex(d) + " " + path;
    }

    /** A violation line: all-zero template hash and file digest. */
    static String violationLine(String path) {
        return "10 " + "00".repeat(20) + " ima-ng sha256:" + "00".repeat(32) + " " + path;
    }

    /** The tpm.* findings above INFO, by check id. */
    static List<String> tpmChecks(AttestationResult r) {
        return r.findings().stream().filter(f -> f.check().startsWith("tpm.") && f.severity() != Severity.INFO)
                .map(Finding::check).toList();
    }

    /** What the one {@link TpmAppraiser#IMA_BOUND} finding (INFO) says. */
    static String bound(AttestationResult r) {
        List<Finding> b = r.findings(TpmAppraiser.IMA_BOUND);
        assertEquals(1, b.size(), r.findings().toString());
        assertEquals(Severity.INFO, b.get(0).severity());
        return b.get(0).actual();
    }

    /** Extends PCR 10 as the kernel does for these lines. */
    void extend(String... lines) throws Exception {
        try (Tpm t = swtpm.connect()) {
            for (String l : lines) {
                String[] f = l.split(" ");
                byte[] th = HEX.parseHex(f[1]);
                if (Arrays.equals(th, new byte[20])) {
                    byte[] ones1 = new byte[20];
                    byte[] ones256 = new byte[32];
                    Arrays.fill(ones1, (byte) 0xFF);
                    Arrays.fill(ones256, (byte) 0xFF);
                    t.pcrExtend(10, HashAlg.SHA1, ones1);
                    t.pcrExtend(10, HashAlg.SHA256, ones256);
                    continue;
                }
                String[] d = f[3].split(":");
                byte[] data = ImaFixture.ngData(d[0], HEX.parseHex(d[1]), f[4], null);
                // The test's own template data must be what the kernel hashed (real lines carry its hash).
                assertArrayEquals(th, HashAlg.SHA1.hash(data), l);
                t.pcrExtend(10, HashAlg.SHA1, th);
                t.pcrExtend(10, HashAlg.SHA256, HashAlg.SHA256.hash(data));
            }
        }
    }

    /** The kernel appends to the list: the agent's collector reads only what is new. */
    void append(String... lines) throws Exception {
        Files.writeString(list, String.join("\n", lines) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /**
     * A TPM Reset (reboot: PCRs back to zero, resetCount + 1) with a new list of Keylime's first
     * line, extended into PCR 10.
     */
    void reboot() throws Exception {
        swtpm.toolOk(dir, "swtpm_ioctl", "--tcp", "127.0.0.1:" + (swtpm.port() + 1), "-i");
        try (Tpm t = swtpm.connect()) {
            t.startup(Tpm.StartupType.CLEAR);
        }
        Files.writeString(list, real.get(0) + "\n", StandardCharsets.UTF_8);
        extend(real.get(0));
    }

    TpmQuoteCollector quoteCollector() {
        return TpmQuoteCollector.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), swtpm.port())).withPcrs(PCRS);
    }

    CollectionContext context() {
        return CollectionContext.of(++cycle, NOW, Duration.ofSeconds(30));
    }

    /**
     * One agent cycle: the quote first, then the new IMA entries (so the list is never behind the
     * quote). Cycles are a few ms apart, so the TPM clock moves between quotes.
     */
    List<Measurement> collect() throws Exception {
        return collect(ima);
    }

    /** One agent cycle with {@code imaCollector} (e.g. a restarted agent's, reading from index 0). */
    List<Measurement> collect(ImaCollector imaCollector) throws Exception {
        Thread.sleep(20);
        List<Measurement> ms = new ArrayList<>();
        CollectionContext c = context();
        try (TpmQuoteCollector q = quoteCollector()) {
            ms.addAll(q.collect(c));
        }
        ms.addAll(imaCollector.collect(c));
        return ms;
    }

    /** Signed evidence of {@code ms}, continuing the device's log from the last evidence. */
    byte[] evidence(List<Measurement> ms) throws Exception {
        List<LogEntry> entries = mlog.append(ms);
        EatClaims claims = EatClaims.builder().profile(EatProfile.PROFILE).iat(NOW).swname("tpm-device")
                .measurementLog(sent, entries, mlog.head()).build();
        sent = mlog.head();
        return EvidenceEncoder.of(key).encode(claims);
    }

    /** A verifier process on a store of its own (in memory). */
    Verifier verifier(byte[] golden, Optional<ImaPolicy> policy) throws Exception {
        return verifier(DeviceStateStore.inMemory(), golden, policy);
    }

    /**
     * A verifier process on {@code store}: reference values captured from {@code golden}, the AK
     * enrolled, {@link #PCRS} required, {@code policy} as the IMA allowlist.
     */
    Verifier verifier(DeviceStateStore store, byte[] golden, Optional<ImaPolicy> policy) throws Exception {
        ReferenceValues refs = ReferenceValues.capture(EvidenceDecoder
                .builder(KeyResolver.single(key.verificationKey().orElseThrow())).build().decode(golden).claims());
        TpmAppraiser.Builder a = TpmAppraiser.builder().enroll("dev-1", enrolledAk).requiredPcrs(PCRS);
        policy.ifPresent(a::imaPolicy);
        return Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of("dev-1", key.verificationKey().orElseThrow())))
                .referenceValues(refs)
                .stateStore(store)
                .clock(Clock.fixed(NOW.plusSeconds(5), ZoneOffset.UTC))
                .appraiser(a.build())
                .build();
    }

    @Override
    public void close() {
        swtpm.close();
    }
}
