package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.attest.verify.AppraisalContext;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TpmAppraiser's per-device state in the verifier's {@link DeviceStateStore}, end to end on a
 * real TPM (swtpm, PCR 10 extended as the kernel does, Keylime's real IMA list): a verifier
 * restarted on the same store goes on with an incremental IMA list and still compares the TPM
 * clock with the quote before the restart; two replicas on one store, appraising one device's
 * evidences in turn, bind the whole list (entries carried and allowlist findings deferred by one
 * replica are bound and reported by the other). Subclasses name the store: in memory
 * ({@link TpmAppraiserSharedStateIT}), PostgreSQL ({@link TpmAppraiserPostgresIT}).
 */
abstract class TpmAppraiserSharedState {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final HexFormat HEX = HexFormat.of();
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

    /**
     * Opens the store of one database: every call a new store on the same data, as a restarted
     * verifier or another replica opens it (in memory: the same store).
     */
    abstract DeviceStateStore openShared() throws Exception;

    /** A store on a database of its own, empty. */
    abstract DeviceStateStore openFresh() throws Exception;

    /** Called after each test. */
    abstract void closeStores() throws Exception;

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
            c.collect(context());
            enrolledAk = c.attestationKey().orElseThrow();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        swtpm.close();
        closeStores();
    }

    /** Extends PCR 10 as the kernel does: SHA-1 bank the template hash, SHA-256 bank H(template data). */
    private void extend(String... lines) throws Exception {
        try (Tpm t = swtpm.connect()) {
            for (String l : lines) {
                String[] f = l.split(" ");
                byte[] th = HEX.parseHex(f[1]);
                String[] d = f[3].split(":");
                byte[] data = ImaFixture.ngData(d[0], HEX.parseHex(d[1]), f[4], null);
                assertArrayEquals(th, HashAlg.SHA1.hash(data), l);
                t.pcrExtend(10, HashAlg.SHA1, th);
                t.pcrExtend(10, HashAlg.SHA256, HashAlg.SHA256.hash(data));
            }
        }
    }

    private void append(String... lines) throws Exception {
        Files.writeString(list, String.join("\n", lines) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
    }

    private static String ngLine(String path, String content) {
        byte[] d = HashAlg.SHA256.hash(content.getBytes(StandardCharsets.UTF_8));
        return "10 " + HEX.formatHex(HashAlg.SHA1.hash(ImaFixture.ngData("sha256", d, path, null))) + " ima-ng sha256:"
                + HEX.formatHex(d) + " " + path;
    }

    private TpmQuoteCollector quoteCollector() {
        return TpmQuoteCollector.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), swtpm.port())).withPcrs(PCRS);
    }

    private CollectionContext context() {
        return CollectionContext.of(++cycle, NOW, Duration.ofSeconds(30));
    }

    /** One agent cycle: the quote, then the new IMA entries. Apart by a few ms, so the TPM clock moves. */
    private List<Measurement> collect() throws Exception {
        Thread.sleep(20);
        List<Measurement> ms = new ArrayList<>();
        CollectionContext c = context();
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

    /** A verifier process: its own TpmAppraiser and Verifier, on {@code store}. */
    private Verifier verifier(DeviceStateStore store, byte[] golden, Optional<ImaPolicy> policy) throws Exception {
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

    private static List<String> tpmChecks(AttestationResult r) {
        return r.findings().stream().filter(f -> f.check().startsWith("tpm.") && f.severity() != Severity.INFO)
                .map(Finding::check).toList();
    }

    private static String bound(AttestationResult r) {
        List<Finding> b = r.findings(TpmAppraiser.IMA_BOUND);
        assertEquals(1, b.size(), r.findings().toString());
        return b.get(0).actual();
    }

    @Test
    void aRestartedVerifierGoesOnWithTheListAndTheClock() throws Exception {
        append(real.get(0));
        extend(real.get(0));
        List<Measurement> c1 = collect();
        byte[] first = evidence(c1);
        Verifier v1 = verifier(openShared(), first, Optional.empty());
        AttestationResult r1 = v1.appraise(first, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r1));
        assertEquals("entries 0..0 bound (1 now), 0 pending", bound(r1));
        append(real.get(1));
        extend(real.get(1));
        AttestationResult r2 = v1.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals("entries 0..1 bound (1 now), 0 pending", bound(r2));

        // The verifier restarts: a new TpmAppraiser and Verifier on the same database.
        Verifier v2 = verifier(openShared(), first, Optional.empty());
        String third = ngLine("/usr/bin/third", "third");
        append(third);
        extend(third);
        byte[] e3 = evidence(collect());
        AttestationResult r3 = v2.appraise(e3, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r3), r3.findings().toString());
        assertEquals("entries 0..2 bound (1 now), 0 pending", bound(r3));
        // What a verifier that kept its state in memory saw after a restart: a gap.
        AttestationResult forgetful = verifier(openFresh(), first, Optional.empty()).appraise(e3,
                AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_SEQUENCE), tpmChecks(forgetful));

        // Restarted again: the first quote, replayed in new evidence, is older than the last.
        Verifier v3 = verifier(openShared(), first, Optional.empty());
        AttestationResult replayed = v3.appraise(evidence(c1), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.TPM_CLOCK_ROLLBACK), tpmChecks(replayed));
        assertEquals("not newer: IMA state unchanged", bound(replayed));

        // The device reboots (TPM Reset, PCRs zero, resetCount + 1) while the verifier restarts.
        swtpm.toolOk(dir, "swtpm_ioctl", "--tcp", "127.0.0.1:" + (swtpm.port() + 1), "-i");
        try (Tpm t = swtpm.connect()) {
            t.startup(Tpm.StartupType.CLEAR);
        }
        Files.writeString(list, real.get(0) + "\n", StandardCharsets.UTF_8);
        extend(real.get(0));
        Verifier v4 = verifier(openShared(), first, Optional.empty());
        AttestationResult rebooted = v4.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.TPM_REBOOT), tpmChecks(rebooted));
        assertEquals("entries 0..0 bound (1 now), 0 pending", bound(rebooted));
    }

    @Test
    void twoReplicasInTurnBindTheWholeList() throws Exception {
        append(real.get(0));
        extend(real.get(0));
        byte[] first = evidence(collect());
        ImaPolicy keylime = ImaPolicy.parseKeylime(Files.readAllBytes(Vectors.file("keylime",
                "runtime-policy-sha256.json")));
        Verifier a = verifier(openShared(), first, Optional.of(keylime));
        Verifier b = verifier(openShared(), first, Optional.of(keylime));
        AttestationResult r1 = a.appraise(first, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r1));
        assertEquals("entries 0..0 bound (1 now), 0 pending", bound(r1));
        // /data is appended and read, but extended after the quote: replica b carries it.
        append(real.get(1));
        List<Measurement> ms = collect();
        extend(real.get(1));
        AttestationResult r2 = b.appraise(evidence(ms), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r2), r2.findings().toString());
        assertEquals("entries 0..0 bound (0 now), 1 pending", bound(r2));
        // Replica a binds it with the next quote and reports the allowlist finding b deferred.
        AttestationResult r3 = a.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals("entries 0..1 bound (1 now), 0 pending", bound(r3));
        assertEquals(List.of(TpmAppraiser.IMA_NOT_ALLOWED), tpmChecks(r3));
        assertEquals("/submods/os//data/file-digest", r3.findings(TpmAppraiser.IMA_NOT_ALLOWED).get(0).path());
        String third = ngLine("/usr/bin/third", "third");
        append(third);
        extend(third);
        AttestationResult r4 = b.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals("entries 0..2 bound (1 now), 0 pending", bound(r4));
        assertEquals("/submods/os//usr/bin/third/file-digest", r4.findings(TpmAppraiser.IMA_NOT_ALLOWED).get(0).path());
        AttestationResult r5 = a.appraise(evidence(collect()), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r5), r5.findings().toString());
        assertEquals("entries 0..2 bound (0 now), 0 pending", bound(r5));
        // Every appraisal advanced the device's log too: no replica saw a replay or a gap.
        for (AttestationResult r : List.of(r1, r2, r3, r4, r5)) {
            assertTrue(r.findings().stream().noneMatch(f -> f.check().startsWith("log") || f.check().contains("replay")),
                    r.findings().toString());
        }
    }
}
