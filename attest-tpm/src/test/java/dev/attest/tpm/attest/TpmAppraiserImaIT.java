package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.CollectionContext;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.core.Value;
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
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.Finding;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.Severity;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IMA list bound to a real TPM end to end: Keylime's real IMA list (and synthesized ima-ng
 * lines) written to a file and extended into swtpm's PCR 10 in both banks as the kernel does ->
 * TpmQuoteCollector then ImaCollector (one agent, incremental across cycles) -> MeasurementLog ->
 * EvidenceEncoder -> Verifier with TpmAppraiser.
 */
class TpmAppraiserImaIT {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final HexFormat HEX = HexFormat.of();
    /** Both banks of PCR 10, so both replays are checked. */
    private static final PcrSelection PCRS = new PcrSelection(List.of(
            new PcrSelection.Bank(HashAlg.SHA1, new java.util.TreeSet<>(Set.of(10))),
            new PcrSelection.Bank(HashAlg.SHA256, new java.util.TreeSet<>(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 10)))));
    @TempDir
    Path dir;
    private Swtpm swtpm;
    private Path list;
    private ImaCollector ima;
    private List<String> real;
    private SigningKey key;
    private MeasurementLog mlog;
    private LogHead sent;
    private TpmtPublic enrolledAk;
    private long cycle;

    @BeforeEach
    void setUp() throws Exception {
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
            c.collect(context(null));
            enrolledAk = c.attestationKey().orElseThrow();
        }
    }

    @AfterEach
    void tearDown() {
        swtpm.close();
    }

    /** ima-ng template data written out field by field (Documentation/security/IMA-templates.rst). */
    static byte[] ngData(String alg, byte[] digest, String name) {
        return ImaFixture.ngData(alg, digest, name, null);
    }

    /** A consistent ima-ng line for {@code path} (SHA-1 template hash over its template data). */
    static String ngLine(String path, String content) {
        byte[] d = HashAlg.SHA256.hash(content.getBytes(StandardCharsets.UTF_8));
        return "10 " + HEX.formatHex(HashAlg.SHA1.hash(ngData("sha256", d, path))) + " ima-ng sha256:" + HEX.formatHex(d)
                + " " + path;
    }

    /** A violation line: all-zero template hash and file digest. */
    static String violationLine(String path) {
        return "10 " + "00".repeat(20) + " ima-ng sha256:" + "00".repeat(32) + " " + path;
    }

    /** Extends PCR 10 as the kernel does for this line: SHA-1 bank the template hash, SHA-256 bank H(template data). */
    private void extend(String... lines) throws Exception {
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
                byte[] data = ngData(d[0], HEX.parseHex(d[1]), f[4]);
                // The test's own template data must be what the kernel hashed (real lines carry its hash).
                assertArrayEquals(th, HashAlg.SHA1.hash(data), l);
                t.pcrExtend(10, HashAlg.SHA1, th);
                t.pcrExtend(10, HashAlg.SHA256, HashAlg.SHA256.hash(data));
            }
        }
    }

    /** The kernel appends to the list: the agent's collector reads only what is new. */
    private void append(String... lines) throws Exception {
        Files.writeString(list, String.join("\n", lines) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
    }

    private TpmQuoteCollector quoteCollector() {
        return TpmQuoteCollector.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), swtpm.port())).withPcrs(PCRS);
    }

    private CollectionContext context(byte[] nonce) {
        CollectionContext c = CollectionContext.of(++cycle, NOW, Duration.ofSeconds(30));
        return nonce == null ? c : c.withNonce(nonce);
    }

    /** One agent cycle: the quote first, then the IMA list (so the list is never behind the quote). */
    private List<Measurement> collect() throws Exception {
        List<Measurement> ms = new ArrayList<>();
        CollectionContext c = context(null);
        try (TpmQuoteCollector q = quoteCollector()) {
            ms.addAll(q.collect(c));
        }
        ms.addAll(ima.collect(c));
        return ms;
    }

    private byte[] evidence(List<Measurement> ms) throws Exception {
        List<LogEntry> entries = mlog.append(ms);
        EatClaims claims = EatClaims.builder().profile(EatProfile.PROFILE).iat(NOW).swname("tpm-device")
                .measurementLog(sent, entries, mlog.head()).build();
        sent = mlog.head();
        return EvidenceEncoder.of(key).encode(claims);
    }

    private Verifier verifier(byte[] golden, Optional<ImaPolicy> policy) throws Exception {
        ReferenceValues refs = ReferenceValues.capture(EvidenceDecoder
                .builder(KeyResolver.single(key.verificationKey().orElseThrow())).build().decode(golden).claims());
        TpmAppraiser.Builder a = TpmAppraiser.builder().enroll("dev-1", enrolledAk).requiredPcrs(PCRS);
        policy.ifPresent(a::imaPolicy);
        return Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of("dev-1", key.verificationKey().orElseThrow())))
                .referenceValues(refs)
                .clock(Clock.fixed(NOW.plusSeconds(5), ZoneOffset.UTC))
                .appraiser(a.build())
                .build();
    }

    private static List<String> tpmChecks(AttestationResult r) {
        return r.findings().stream().filter(f -> f.check().startsWith("tpm.") && f.severity() != Severity.INFO)
                .map(Finding::check).toList();
    }

    private static String bound(AttestationResult r) {
        List<Finding> b = r.findings(TpmAppraiser.IMA_BOUND);
        assertEquals(1, b.size(), r.findings().toString());
        assertEquals(Severity.INFO, b.get(0).severity());
        return b.get(0).actual();
    }

    private static Measurement withValue(Measurement m, String name, Value v) {
        Map<String, Value> vs = new TreeMap<>(m.values());
        vs.put(name, v);
        return Measurement.builder(m.component(), m.layer()).collector(m.collectorId()).time(m.time())
                .digests(m.digests()).values(vs).build();
    }

    /** The SHA-1 PCR 10 replay of list lines, from their listed template hashes. */
    private static String quotedSha1(List<String> lines) {
        byte[] pcr = new byte[20];
        for (String l : lines) {
            byte[] th = HEX.parseHex(l.split(" ")[1]);
            byte[] both = Arrays.copyOf(pcr, 40);
            System.arraycopy(th, 0, both, 20, 20);
            pcr = HashAlg.SHA1.hash(both);
        }
        return HEX.formatHex(pcr);
    }

    private static ImaPolicy keylimePolicy() throws Exception {
        return ImaPolicy.parseKeylime(Files.readAllBytes(Vectors.file("keylime", "runtime-policy-sha256.json")));
    }

    @Test
    void theWholeRealListBindsToBothBanksAndIsAffirming() throws Exception {
        append(real.toArray(String[]::new));
        extend(real.toArray(String[]::new));
        byte[] e = evidence(collect());
        // The allowlist: Keylime's policy plus the list's /data digest.
        ImaPolicy k = keylimePolicy();
        Map<String, Set<String>> digests = new TreeMap<>(k.digests());
        digests.put("/data", Set.of(real.get(1).split(" ")[3].split(":")[1]));
        AttestationResult r = verifier(e, Optional.of(new ImaPolicy(digests, k.excludes()))).appraise(e,
                AppraisalContext.periodic());
        assertEquals(TrustTier.AFFIRMING, r.status(), r.findings().toString());
        assertEquals(List.of(), tpmChecks(r));
        assertEquals("entries 0..1 bound (2 now), 0 pending", bound(r));
        Finding f = r.findings(TpmAppraiser.IMA_BOUND).get(0);
        assertEquals("/submods/tpm/tpm-quote/pcrs/sha1:10", f.path());
        assertEquals(TrustClaim.EXECUTABLES, f.claim());
    }

    @Test
    void anIncrementalListIsBoundCycleByCycle() throws Exception {
        String third = ngLine("/usr/bin/third", "third");
        append(real.get(0));
        extend(real.get(0));
        byte[] first = evidence(collect());
        Verifier v = verifier(first, Optional.empty());
        AttestationResult r1 = v.appraise(first, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r1));
        assertEquals("entries 0..0 bound (1 now), 0 pending", bound(r1));
        append(real.get(1));
        extend(real.get(1));
        AttestationResult r2 = v.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r2));
        assertEquals("entries 0..1 bound (1 now), 0 pending", bound(r2));
        append(third);
        extend(third);
        AttestationResult r3 = v.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r3));
        assertEquals("entries 0..2 bound (1 now), 0 pending", bound(r3));
        // A cycle with nothing new: the quote still matches the bound replay.
        AttestationResult r4 = v.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r4));
        assertEquals("entries 0..2 bound (0 now), 0 pending", bound(r4));
    }

    @Test
    void aListAheadOfTheQuoteIsCarriedAndBoundByTheNextQuote() throws Exception {
        append(real.toArray(String[]::new));
        extend(real.get(0));
        List<Measurement> ms = collect();
        // The kernel appended /data before the list was read but extended it after the quote.
        extend(real.get(1));
        byte[] first = evidence(ms);
        Verifier v = verifier(first, Optional.of(keylimePolicy()));
        AttestationResult r1 = v.appraise(first, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r1), "the carried /data is not appraised yet");
        assertEquals("entries 0..0 bound (1 now), 1 pending", bound(r1));
        AttestationResult r2 = v.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals("entries 0..1 bound (1 now), 0 pending", bound(r2));
        // Now bound, /data is appraised: Keylime's policy does not allow it.
        assertEquals(List.of(TpmAppraiser.IMA_NOT_ALLOWED), tpmChecks(r2));
    }

    @Test
    void anEntryNotInTheKeylimePolicyIsNotAllowedAndExcludedPathsPass() throws Exception {
        append(real.toArray(String[]::new));
        extend(real.toArray(String[]::new));
        byte[] e = evidence(collect());
        AttestationResult r = verifier(e, Optional.of(keylimePolicy())).appraise(e, AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_NOT_ALLOWED), tpmChecks(r));
        assertEquals(new Finding(TpmAppraiser.IMA_NOT_ALLOWED, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                "/submods/os//data/file-digest", "/data in the allowlist", real.get(1).split(" ")[3]),
                r.findings(TpmAppraiser.IMA_NOT_ALLOWED).get(0));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        // A known path with another digest, and an excluded path.
        ImaPolicy k = keylimePolicy();
        Map<String, Set<String>> digests = new TreeMap<>(k.digests());
        digests.put("/data", Set.of("00".repeat(32)));
        AttestationResult other = verifier(e, Optional.of(new ImaPolicy(digests, k.excludes()))).appraise(e,
                AppraisalContext.periodic());
        assertEquals(List.of(new Finding(TpmAppraiser.IMA_NOT_ALLOWED, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                "/submods/os//data/file-digest", "00".repeat(32), real.get(1).split(" ")[3])),
                other.findings(TpmAppraiser.IMA_NOT_ALLOWED));
        AttestationResult excluded = verifier(e, Optional.of(new ImaPolicy(digests, List.of("/da")))).appraise(e,
                AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(excluded));
    }

    @Test
    void aViolationExtendsAllOnesAndIsAWarningUnderAnAllowlist() throws Exception {
        String violation = violationLine("/var/log/written");
        append(real.get(0), violation);
        extend(real.get(0), violation);
        byte[] e = evidence(collect());
        AttestationResult plain = verifier(e, Optional.empty()).appraise(e, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(plain));
        assertEquals("entries 0..1 bound (2 now), 0 pending", bound(plain));
        AttestationResult r = verifier(e, Optional.of(keylimePolicy())).appraise(e, AppraisalContext.periodic());
        assertEquals(List.of(new Finding(TpmAppraiser.IMA_VIOLATION, TrustClaim.EXECUTABLES, Severity.WARNING,
                "/submods/os//var/log/written/violation", "a measurement of the file's content",
                "violation (open for write while measured)")), r.findings(TpmAppraiser.IMA_VIOLATION));
        assertEquals(List.of(TpmAppraiser.IMA_VIOLATION), tpmChecks(r));
    }

    @Test
    void aForgedFileDigestInTheListIsCaught() throws Exception {
        extend(real.toArray(String[]::new));
        String[] f = real.get(1).split(" ");
        String forged = f[0] + " " + f[1] + " " + f[2] + " sha256:" + "ab".repeat(32) + " " + f[4];
        append(real.get(0), forged);
        byte[] e = evidence(collect());
        AttestationResult r = verifier(e, Optional.empty()).appraise(e, AppraisalContext.periodic());
        // The agent cannot rebuild the line's template hash: it reports the line as malformed, and
        // the verifier cannot bind it (nor anything after it).
        assertEquals(List.of(TpmAppraiser.IMA_ENTRY_INVALID), tpmChecks(r));
        Finding invalid = r.findings(TpmAppraiser.IMA_ENTRY_INVALID).get(0);
        assertEquals("/submods/os/ima-log-line:2", invalid.path());
        assertEquals("malformed line: TEMPLATE_HASH_MISMATCH", invalid.actual());
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
    }

    @Test
    void aFileDigestChangedInTheEvidenceFailsTheVerifiersOwnRecomputation() throws Exception {
        append(real.toArray(String[]::new));
        extend(real.toArray(String[]::new));
        List<Measurement> ms = new ArrayList<>(collect());
        int at = 0;
        while (!ms.get(at).component().name().equals("/data")) {
            at++;
        }
        byte[] d = HEX.parseHex(real.get(1).split(" ")[3].split(":")[1]);
        d[0] ^= 1;
        ms.set(at, withValue(ms.get(at), "file-digest", new Value.Bytes(d)));
        byte[] e = evidence(ms);
        Verifier v = verifier(e, Optional.empty());
        AttestationResult r = v.appraise(e, AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_TEMPLATE_MISMATCH), tpmChecks(r));
        Finding f = r.findings(TpmAppraiser.IMA_TEMPLATE_MISMATCH).get(0);
        assertEquals("/submods/os//data/template-hash", f.path());
        assertEquals(HEX.formatHex(HashAlg.SHA1.hash(ngData("sha256", d, "/data"))), f.expected());
        assertEquals(real.get(1).split(" ")[1], f.actual());
        // Nothing from /data on can be bound any more.
        AttestationResult next = v.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_MISMATCH), tpmChecks(next));
        assertEquals("unbound since entry 1 (not rebuilt)", next.findings(TpmAppraiser.IMA_MISMATCH).get(0).actual());
    }

    @Test
    void aConsistentEntryThatWasNeverExtendedIsAMismatchWithTheNextQuote() throws Exception {
        String fake = ngLine("/usr/bin/innocent", "never measured");
        append(real.get(0), real.get(1), fake);
        extend(real.toArray(String[]::new));
        byte[] first = evidence(collect());
        Verifier v = verifier(first, Optional.empty());
        AttestationResult r1 = v.appraise(first, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r1), "an entry ahead of the quote is carried");
        assertEquals("entries 0..1 bound (2 now), 1 pending", bound(r1));
        AttestationResult r2 = v.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_MISMATCH), tpmChecks(r2));
        Finding f = r2.findings(TpmAppraiser.IMA_MISMATCH).get(0);
        assertEquals("/submods/tpm/tpm-quote/pcrs/sha1:10", f.path());
        assertEquals(TrustClaim.EXECUTABLES, f.claim());
        assertEquals(TrustTier.CONTRAINDICATED, r2.status());
        assertEquals(quotedSha1(real), f.expected());
        assertEquals("no prefix of entries 2..2 covering the carried entries 2..2 replays to it (replay of all: "
                + quotedSha1(List.of(real.get(0), real.get(1), fake)) + ")", f.actual());
        // Once unbound, it stays so: later entries cannot be bound until the list restarts.
        String later = ngLine("/usr/bin/later", "later");
        append(later);
        extend(later);
        AttestationResult r3 = v.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_MISMATCH), tpmChecks(r3));
        assertEquals("unbound since entry 2 (no replay matched the quote)",
                r3.findings(TpmAppraiser.IMA_MISMATCH).get(0).actual());
    }

    @Test
    void aTpmRebootRestartsTheReplay() throws Exception {
        append(real.toArray(String[]::new));
        extend(real.toArray(String[]::new));
        byte[] first = evidence(collect());
        Verifier v = verifier(first, Optional.empty());
        assertEquals("entries 0..1 bound (2 now), 0 pending", bound(v.appraise(first, AppraisalContext.periodic())));
        // Reboot: TPM Reset (PCRs back to zero, resetCount + 1) and a new, shorter list.
        swtpm.toolOk(dir, "swtpm_ioctl", "--tcp", "127.0.0.1:" + (swtpm.port() + 1), "-i");
        try (Tpm t = swtpm.connect()) {
            t.startup(Tpm.StartupType.CLEAR);
        }
        Files.writeString(list, real.get(0) + "\n", StandardCharsets.UTF_8);
        extend(real.get(0));
        AttestationResult r = v.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.TPM_REBOOT), tpmChecks(r));
        assertEquals("entries 0..0 bound (1 now), 0 pending", bound(r));
        append(real.get(1));
        extend(real.get(1));
        AttestationResult r2 = v.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r2));
        assertEquals("entries 0..1 bound (1 now), 0 pending", bound(r2));
    }

    @Test
    void aQuoteThatFailsVerificationNeverMovesTheImaState() throws Exception {
        append(real.get(0));
        extend(real.get(0));
        byte[] first = evidence(collect());
        Verifier v = verifier(first, Optional.empty());
        assertEquals("entries 0..0 bound (1 now), 0 pending", bound(v.appraise(first, AppraisalContext.periodic())));
        append(real.get(1));
        extend(real.get(1));
        List<Measurement> ms = collect();
        Measurement q = ms.get(0);
        byte[] sig = ((Value.Bytes) q.value("signature").orElseThrow()).value();
        sig[sig.length - 1] ^= 1;
        List<Measurement> bad = new ArrayList<>(ms);
        bad.set(0, withValue(q, "signature", new Value.Bytes(sig)));
        AttestationResult r = v.appraise(evidence(bad), AppraisalContext.periodic());
        assertEquals(List.of("tpm.signature_invalid"), tpmChecks(r));
        assertEquals(List.of(), r.findings(TpmAppraiser.IMA_BOUND));
        // The same entries with the genuine quote: the state still expects index 1, so they bind.
        AttestationResult good = v.appraise(evidence(ms), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(good));
        assertEquals("entries 0..1 bound (1 now), 0 pending", bound(good));
    }

    @Test
    void entriesMustBeContiguous() throws Exception {
        append(real.toArray(String[]::new));
        extend(real.toArray(String[]::new));
        List<Measurement> c1 = collect();
        byte[] first = evidence(c1);
        Verifier v = verifier(first, Optional.empty());
        assertEquals(List.of(), tpmChecks(v.appraise(first, AppraisalContext.periodic())));
        String third = ngLine("/usr/bin/third", "third");
        append(third);
        extend(third);
        List<Measurement> c2 = collect();
        // The device drops /usr/bin/third (index 2) from its evidence: a gap, by the summary's count.
        List<Measurement> gap = c2.stream().filter(m -> !m.component().name().equals("/usr/bin/third")).toList();
        AttestationResult r = v.appraise(evidence(gap), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_SEQUENCE), tpmChecks(r));
        assertEquals(new Finding(TpmAppraiser.IMA_SEQUENCE, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                "/submods/os/ima-log/entries", "2 entries", "3 entries"), r.findings(TpmAppraiser.IMA_SEQUENCE).get(0));
        // On another verifier: /data re-sent after it was bound is an overlap.
        Verifier w = verifier(first, Optional.empty());
        w.appraise(first, AppraisalContext.periodic());
        Measurement data = c1.stream().filter(m -> m.component().name().equals("/data")).findFirst().orElseThrow();
        List<Measurement> overlap = new ArrayList<>(c2);
        overlap.add(2, data);
        AttestationResult o = w.appraise(evidence(overlap), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_SEQUENCE), tpmChecks(o));
        assertEquals(new Finding(TpmAppraiser.IMA_SEQUENCE, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                "/submods/os//data/index", "index 2", "index 1"), o.findings(TpmAppraiser.IMA_SEQUENCE).get(0));
        // A list re-sent whole from index 0 (the agent restarted) binds again from zero.
        ImaCollector restarted = ImaCollector.of(list);
        List<Measurement> again = new ArrayList<>();
        CollectionContext c = context(null);
        try (TpmQuoteCollector q = quoteCollector()) {
            again.addAll(q.collect(c));
        }
        again.addAll(restarted.collect(c));
        AttestationResult a = w.appraise(evidence(again), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(a));
        assertEquals("entries 0..2 bound (3 now), 0 pending", bound(a));
    }
}
