package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.SoftwareQuotes;
import dev.attest.tpm.TpmsAttest;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.Finding;
import dev.attest.verify.Severity;
import dev.attest.verify.ear.TrustClaim;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TpmAppraiser's IMA binding on software quotes: every template, replays, selection, concurrency. */
class TpmAppraiserImaTest {
    @TempDir
    Path dir;
    private SoftwareQuotes q;
    private List<ImaFixture.Line> lines;

    @BeforeEach
    void setUp() throws Exception {
        q = SoftwareQuotes.ecc();
        lines = ImaFixture.allKinds();
    }

    static TpmsAttest.ClockInfo clock(long ms) {
        return new TpmsAttest.ClockInfo(ms, 3, 1, true);
    }

    private TpmAppraiser appraiser() {
        return TpmAppraiser.builder().enroll("dev-1", q.ak).requiredPcrs(ImaFixture.PCR10).build();
    }

    private static List<Finding> appraise(TpmAppraiser a, List<Measurement> ms) {
        return a.appraise("dev-1", TpmAppraiserTest.evidence(ms), AppraisalContext.periodic());
    }

    private List<Measurement> evidence(List<ImaFixture.Line> extended, List<Measurement> ima, long clock) throws Exception {
        List<Measurement> ms = new ArrayList<>();
        ms.add(ImaFixture.quote(q, ImaFixture.pcr10(extended), ImaFixture.PCR10, clock(clock)));
        ms.addAll(ima);
        return ms;
    }

    private static Finding bound(String path, String actual) {
        return new Finding(TpmAppraiser.IMA_BOUND, TrustClaim.EXECUTABLES, Severity.INFO, path, "", actual);
    }

    /** The boot_aggregate finding when the quote does not select the SHA-256 PCRs 0-9. */
    private static Finding bootAggregateUnchecked(PcrSelection quoted) {
        return new Finding(TpmAppraiser.IMA_BOOT_AGGREGATE_UNCHECKED, TrustClaim.EXECUTABLES, Severity.INFO,
                "/submods/os/boot_aggregate/file-digest", "PCRs 0-9 of the sha256 bank quoted", "sha256; quoted " + quoted);
    }

    @Test
    void everyTemplateBindsInBothBanks() throws Exception {
        List<Measurement> ima = ImaFixture.collect(dir, lines);
        assertEquals(0L, ((Value.Int) ima.get(0).value("parse-errors").orElseThrow()).value(), ima.toString());
        assertEquals(List.of(bound("/submods/tpm/tpm-quote/pcrs/sha1:10", "entries 0..8 bound (9 now), 0 pending")),
                appraise(appraiser(), evidence(lines, ima, 1_000)));
        // Only the SHA-256 bank quoted: bound by it alone.
        PcrSelection sha256 = PcrSelection.of(HashAlg.SHA256, 10);
        List<Measurement> ms = new ArrayList<>(ima);
        ms.add(0, ImaFixture.quote(q, ImaFixture.pcr10(lines), sha256, clock(1_000)));
        TpmAppraiser a = TpmAppraiser.builder().enroll("dev-1", q.ak).requiredPcrs(sha256).build();
        assertEquals(List.of(bootAggregateUnchecked(sha256),
                bound("/submods/tpm/tpm-quote/pcrs/sha256:10", "entries 0..8 bound (9 now), 0 pending")), appraise(a, ms));
    }

    @Test
    void aDeviceThatReportsNoImaGetsNoImaFindings() throws Exception {
        assertEquals(List.of(), appraise(appraiser(), evidence(lines, List.of(), 1_000)));
    }

    @Test
    void aQuoteWithoutPcr10CannotBindTheList() throws Exception {
        List<Measurement> ms = new ArrayList<>(ImaFixture.collect(dir, lines));
        PcrSelection boot = PcrSelection.of(HashAlg.SHA256, 0);
        ms.add(0, ImaFixture.quote(q, q.pcrs, boot, clock(1_000)));
        TpmAppraiser a = TpmAppraiser.builder().enroll("dev-1", q.ak).requiredPcrs(boot).build();
        assertEquals(List.of(bootAggregateUnchecked(boot), new Finding(TpmAppraiser.IMA_MISMATCH, TrustClaim.EXECUTABLES,
                Severity.CONTRAINDICATED, "/submods/tpm/tpm-quote/attest", "PCR 10 quoted", boot.toString())),
                appraise(a, ms));
    }

    @Test
    void pcrValuesOutsideTheQuotedSelectionAreNotTrusted() throws Exception {
        // The quote selects SHA-256 PCR 10 only; a SHA-1 PCR 10 value that the device adds to
        // "pcrs" is not covered by the signature and must not be what the list is bound to.
        PcrSelection sha256 = PcrSelection.of(HashAlg.SHA256, 10);
        List<ImaFixture.Line> two = lines.subList(0, 2);
        Measurement quote = ImaFixture.quote(q, ImaFixture.pcr10(lines.subList(0, 1)), sha256, clock(1_000));
        java.util.Map<String, Value> pcrs = new java.util.TreeMap<>(((Value.MapValue) quote.value("pcrs").orElseThrow()).values());
        pcrs.put("sha1:10", new Value.Bytes(ImaFixture.pcr10(two).get(HashAlg.SHA1, 10).orElseThrow()));
        List<Measurement> ms = new ArrayList<>(ImaFixture.collect(dir, two));
        ms.add(0, ImaFixture.withValue(quote, "pcrs", Value.MapValue.of(pcrs)));
        TpmAppraiser a = TpmAppraiser.builder().enroll("dev-1", q.ak).requiredPcrs(sha256).build();
        assertEquals(List.of(bootAggregateUnchecked(sha256),
                bound("/submods/tpm/tpm-quote/pcrs/sha256:10", "entries 0..0 bound (1 now), 1 pending")), appraise(a, ms));
    }

    /**
     * The list's boot_aggregate must be the hash of the quoted SHA-256 PCRs 0-9 (the fixture's
     * lists are, so every other test binds with it checked): a list started on another boot is
     * contraindicated and not bound, however well its PCR 10 replays; boot PCR values the device
     * adds outside the quoted selection are not signed and check nothing.
     */
    @Test
    void theBootAggregateMustBeTheQuotedBootPcrs() throws Exception {
        byte[] otherBoot = HashAlg.SHA256.hash("another boot".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        List<ImaFixture.Line> foreign = new ArrayList<>(lines);
        foreign.set(0, ImaFixture.ng("ima-ng", "sha256", otherBoot, "boot_aggregate", null));
        List<Measurement> ima = ImaFixture.collect(dir, foreign);
        TpmAppraiser a = appraiser();
        byte[] quotedBoot = ((Value.Bytes) ima.stream().filter(m -> m.component().name().equals("boot_aggregate"))
                .findFirst().orElseThrow().value("file-digest").orElseThrow()).value();
        assertEquals(ImaFixture.HEX.formatHex(otherBoot), ImaFixture.HEX.formatHex(quotedBoot));
        byte[] expected = ((Value.Bytes) ImaFixture.collect(dir, lines).stream()
                .filter(m -> m.component().name().equals("boot_aggregate")).findFirst().orElseThrow()
                .value("file-digest").orElseThrow()).value();
        List<Finding> fs = appraise(a, evidence(foreign, ima, 1_000));
        assertEquals(List.of(new Finding(TpmAppraiser.IMA_BOOT_AGGREGATE, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                "/submods/os/boot_aggregate/file-digest", ImaFixture.HEX.formatHex(expected),
                ImaFixture.HEX.formatHex(otherBoot))), fs);
        // The list stays unbound: the next quote still finds it broken at entry 0.
        List<Finding> next = appraise(a, evidence(foreign, List.of(ima.get(ima.size() - 1)), 2_000));
        assertEquals(List.of(TpmAppraiser.IMA_MISMATCH), next.stream().map(Finding::check).toList(), next.toString());
        assertEquals("unbound since entry 0 (boot_aggregate is not the quoted boot PCRs)", next.get(0).actual());

        // Boot PCRs the device adds to "pcrs" outside the quoted selection make no boot_aggregate match.
        PcrSelection sha256 = PcrSelection.of(HashAlg.SHA256, 10);
        Measurement quote = ImaFixture.quote(q, ImaFixture.pcr10(lines), sha256, clock(1_000));
        List<Measurement> ms = new ArrayList<>(ImaFixture.collect(dir, lines));
        ms.add(0, ImaFixture.withValue(quote, "pcrs", Value.MapValue.of(withBoot(quote))));
        TpmAppraiser onlyPcr10 = TpmAppraiser.builder().enroll("dev-1", q.ak).requiredPcrs(sha256).build();
        assertEquals(List.of(bootAggregateUnchecked(sha256),
                bound("/submods/tpm/tpm-quote/pcrs/sha256:10", "entries 0..8 bound (9 now), 0 pending")),
                appraise(onlyPcr10, ms));
    }

    /** The quote's "pcrs" plus the fixture's boot PCRs 0-9, which the quote does not select. */
    private static java.util.Map<String, Value> withBoot(Measurement quote) {
        java.util.Map<String, Value> pcrs = new java.util.TreeMap<>(((Value.MapValue) quote.value("pcrs").orElseThrow()).values());
        for (int i = 0; i <= 9; i++) {
            pcrs.put("sha256:" + i, new Value.Bytes(ImaFixture.bootPcr(i)));
        }
        return pcrs;
    }

    @Test
    void replayedOrOlderQuotesLeaveTheStateAlone() throws Exception {
        TpmAppraiser a = appraiser();
        List<Measurement> all = ImaFixture.collect(dir, lines.subList(0, 3));
        List<Measurement> first = evidence(lines.subList(0, 2), List.of(all.get(0), all.get(1), all.get(2)), 1_000);
        first.set(1, ImaFixture.withValue(all.get(0), "entries", new Value.Int(2)));
        assertEquals(List.of(bound("/submods/tpm/tpm-quote/pcrs/sha1:10", "entries 0..1 bound (2 now), 0 pending")),
                appraise(a, first));
        Finding unchanged = new Finding(TpmAppraiser.IMA_BOUND, TrustClaim.EXECUTABLES, Severity.INFO,
                "/submods/tpm/tpm-quote/attest", "a quote newer than the last one bound", "not newer: IMA state unchanged");
        assertEquals(List.of(unchanged), appraise(a, first), "the same evidence again");
        List<Measurement> older = evidence(lines.subList(0, 3), List.of(all.get(3)), 500);
        assertEquals(List.of(TpmAppraiser.TPM_CLOCK_ROLLBACK, TpmAppraiser.IMA_BOUND),
                appraise(a, older).stream().map(Finding::check).toList());
        // The state still expects index 2.
        List<Measurement> next = evidence(lines.subList(0, 3), List.of(all.get(0), all.get(3)), 2_000);
        assertEquals(List.of(bound("/submods/tpm/tpm-quote/pcrs/sha1:10", "entries 0..2 bound (1 now), 0 pending")),
                appraise(a, next));
    }

    @Test
    void aListReadInPartsIsCarriedWithAWarningUntilAQuoteBindsIt() throws Exception {
        Path f = dir.resolve("list");
        java.nio.file.Files.writeString(f, ImaFixture.text(lines));
        dev.attest.core.collectors.ImaCollector agent = dev.attest.core.collectors.ImaCollector.of(f, 4);
        dev.attest.tpm.ima.ImaPolicy keylime = dev.attest.tpm.ima.ImaPolicy.parseKeylime(java.nio.file.Files.readAllBytes(
                dev.attest.testkit.Vectors.file("keylime", "runtime-policy-sha256.json")));
        TpmAppraiser a = TpmAppraiser.builder().enroll("dev-1", q.ak).requiredPcrs(ImaFixture.PCR10).imaPolicy(keylime).build();
        dev.attest.core.CollectionContext c = dev.attest.core.CollectionContext.of(1,
                java.time.Instant.parse("2026-11-25T12:00:00Z"), java.time.Duration.ofSeconds(30));
        // All nine entries were extended before the first quote; the agent delivers four per cycle.
        List<Finding> first = appraise(a, evidence(lines, agent.collect(c), 1_000));
        assertEquals(List.of(new Finding(TpmAppraiser.IMA_PENDING, TrustClaim.EXECUTABLES, Severity.WARNING,
                "/submods/os/ima-log/more-entries-pending", "a list read up to the quote",
                "entries 0..3 not yet bound: the list was read in part and the quote is ahead of it")), first);
        List<Finding> second = appraise(a, evidence(lines, agent.collect(c), 2_000));
        assertEquals(List.of(TpmAppraiser.IMA_PENDING), second.stream().map(Finding::check).toList());
        List<Finding> third = appraise(a, evidence(lines, agent.collect(c), 3_000));
        // Bound at last: the allowlist findings of every entry, the carried ones first.
        assertEquals(List.of("/submods/os//data/file-digest", "/submods/os//usr/bin/signed/file-digest",
                "/submods/os//usr/bin/unsigned/file-digest", "/submods/os/kexec-cmdline/file-digest",
                "/submods/os//usr/bin/legacy/file-digest", "/submods/os//opt/with space/file-digest",
                "/submods/os//tmp/tab\\x09here/file-digest", "/submods/os//var/log/written/violation",
                "/submods/tpm/tpm-quote/pcrs/sha1:10"), third.stream().map(Finding::path).toList());
        assertEquals(TpmAppraiser.IMA_VIOLATION, third.get(7).check());
        assertEquals(bound("/submods/tpm/tpm-quote/pcrs/sha1:10", "entries 0..8 bound (9 now), 0 pending"), third.get(8));
        assertEquals(7, third.stream().filter(x -> x.check().equals(TpmAppraiser.IMA_NOT_ALLOWED)).count());
        // A partial read only postpones: entries the next quote still does not cover are a mismatch.
        TpmAppraiser b = appraiser();
        List<Measurement> eight = new ArrayList<>(ImaFixture.collect(dir, lines.subList(0, 8)));
        eight.set(0, ImaFixture.withValue(eight.get(0), "more-entries-pending", new Value.Bool(true)));
        assertEquals(List.of(TpmAppraiser.IMA_PENDING), appraise(b, evidence(lines, eight, 1_000)).stream()
                .map(Finding::check).toList());
        Measurement summary = ImaFixture.withValue(eight.get(0), "more-entries-pending", new Value.Bool(false));
        assertEquals(List.of(TpmAppraiser.IMA_MISMATCH), appraise(b, evidence(lines, List.of(summary), 2_000)).stream()
                .map(Finding::check).toList());
    }

    @Test
    void concurrentAppraisalsOfOneDeviceBindOnce() throws Exception {
        TpmAppraiser a = appraiser();
        List<Measurement> ms = evidence(lines, ImaFixture.collect(dir, lines), 1_000);
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Finding>>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> {
                    go.await();
                    return appraise(a, ms);
                }));
            }
            go.countDown();
            int boundOnce = 0;
            int unchanged = 0;
            for (Future<List<Finding>> f : fs) {
                List<Finding> r = f.get();
                assertEquals(1, r.size(), r.toString());
                if (r.get(0).actual().equals("entries 0..8 bound (9 now), 0 pending")) {
                    boundOnce++;
                } else {
                    assertEquals("not newer: IMA state unchanged", r.get(0).actual());
                    unchanged++;
                }
            }
            assertEquals(1, boundOnce);
            assertEquals(n - 1, unchanged);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void entriesTheVerifierCannotRebuildAreInvalid() throws Exception {
        List<Measurement> ima = ImaFixture.collect(dir, lines.subList(0, 1));
        Measurement boot = ima.get(1);
        record Case(Measurement m, String path, String expected, String actual) {
        }
        List<Case> cases = List.of(
                new Case(ImaFixture.withValue(boot, "pcr", new Value.Int(11)), "/submods/os/boot_aggregate/pcr",
                        "PCR 10 (the PCR quoted for IMA)", "PCR 11"),
                new Case(ImaFixture.withValue(boot, "line", new Value.Int(7)), "/submods/os/boot_aggregate/line",
                        "line 1", "line 7"),
                new Case(ImaFixture.withValue(boot, "violation", new Value.Bool(true)),
                        "/submods/os/boot_aggregate/violation", "violation false (template hash not all zero)",
                        "violation true"),
                new Case(ImaFixture.withValue(boot, "template", new Value.Text("ima-foo")), "/submods/os/boot_aggregate",
                        "an IMA entry of a known template", "UNSUPPORTED_TYPE at 1: template ima-foo"),
                new Case(ImaFixture.renamed(boot, "boot_aggregate2"), "/submods/os/boot_aggregate2/template-hash",
                        ImaFixture.HEX.formatHex(HashAlg.SHA1.hash(ImaFixture.ngData("sha256",
                                ((Value.Bytes) boot.value("file-digest").orElseThrow()).value(), "boot_aggregate2", null))),
                        ImaFixture.HEX.formatHex(((Value.Bytes) boot.value("template-hash").orElseThrow()).value())));
        for (Case c : cases) {
            List<Finding> fs = appraise(appraiser(), evidence(lines.subList(0, 1), List.of(ima.get(0), c.m()), 1_000));
            assertEquals(1, fs.size(), fs.toString());
            Finding f = fs.get(0);
            // A renamed entry rebuilds other template data: the verifier's own hash differs.
            String check = c.m().component().name().equals("boot_aggregate2") ? TpmAppraiser.IMA_TEMPLATE_MISMATCH
                    : TpmAppraiser.IMA_ENTRY_INVALID;
            assertEquals(new Finding(check, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                    c.path(), c.expected(), c.actual()), f);
        }
    }
}
