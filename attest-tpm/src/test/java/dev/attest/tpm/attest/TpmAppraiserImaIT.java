package dev.attest.tpm.attest;

import static dev.attest.tpm.attest.SwtpmImaDevice.bound;
import static dev.attest.tpm.attest.SwtpmImaDevice.ngLine;
import static dev.attest.tpm.attest.SwtpmImaDevice.tpmChecks;
import static dev.attest.tpm.attest.SwtpmImaDevice.violationLine;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.core.Value;
import dev.attest.core.collectors.ImaCollector;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.testkit.Vectors;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.ima.ImaPolicy;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.Finding;
import dev.attest.verify.Severity;
import dev.attest.verify.Verifier;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private static final HexFormat HEX = SwtpmImaDevice.HEX;
    @TempDir
    Path dir;
    private SwtpmImaDevice d;
    private List<String> real;

    @BeforeEach
    void setUp() throws Exception {
        d = SwtpmImaDevice.start(dir);
        real = d.real;
    }

    @AfterEach
    void tearDown() {
        d.close();
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
        d.append(real.toArray(String[]::new));
        d.extend(real.toArray(String[]::new));
        byte[] e = d.evidence(d.collect());
        // The allowlist: Keylime's policy plus the list's /data digest.
        ImaPolicy k = keylimePolicy();
        Map<String, Set<String>> digests = new TreeMap<>(k.digests());
        digests.put("/data", Set.of(real.get(1).split(" ")[3].split(":")[1]));
        AttestationResult r = d.verifier(e, Optional.of(new ImaPolicy(digests, k.excludes()))).appraise(e,
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
        d.append(real.get(0));
        d.extend(real.get(0));
        byte[] first = d.evidence(d.collect());
        Verifier v = d.verifier(first, Optional.empty());
        AttestationResult r1 = v.appraise(first, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r1));
        assertEquals("entries 0..0 bound (1 now), 0 pending", bound(r1));
        d.append(real.get(1));
        d.extend(real.get(1));
        AttestationResult r2 = v.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r2));
        assertEquals("entries 0..1 bound (1 now), 0 pending", bound(r2));
        d.append(third);
        d.extend(third);
        AttestationResult r3 = v.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r3));
        assertEquals("entries 0..2 bound (1 now), 0 pending", bound(r3));
        // A cycle with nothing new: the quote still matches the bound replay.
        AttestationResult r4 = v.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r4));
        assertEquals("entries 0..2 bound (0 now), 0 pending", bound(r4));
    }

    @Test
    void aListAheadOfTheQuoteIsCarriedAndBoundByTheNextQuote() throws Exception {
        d.append(real.toArray(String[]::new));
        d.extend(real.get(0));
        List<Measurement> ms = d.collect();
        // The kernel appended /data before the list was read but extended it after the quote.
        d.extend(real.get(1));
        byte[] first = d.evidence(ms);
        Verifier v = d.verifier(first, Optional.of(keylimePolicy()));
        AttestationResult r1 = v.appraise(first, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r1), "the carried /data is not appraised yet");
        assertEquals("entries 0..0 bound (1 now), 1 pending", bound(r1));
        AttestationResult r2 = v.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals("entries 0..1 bound (1 now), 0 pending", bound(r2));
        // Now bound, /data is appraised: Keylime's policy does not allow it.
        assertEquals(List.of(TpmAppraiser.IMA_NOT_ALLOWED), tpmChecks(r2));
    }

    @Test
    void anEntryNotInTheKeylimePolicyIsNotAllowedAndExcludedPathsPass() throws Exception {
        d.append(real.toArray(String[]::new));
        d.extend(real.toArray(String[]::new));
        byte[] e = d.evidence(d.collect());
        AttestationResult r = d.verifier(e, Optional.of(keylimePolicy())).appraise(e, AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_NOT_ALLOWED), tpmChecks(r));
        assertEquals(new Finding(TpmAppraiser.IMA_NOT_ALLOWED, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                "/submods/os//data/file-digest", "/data in the allowlist", real.get(1).split(" ")[3]),
                r.findings(TpmAppraiser.IMA_NOT_ALLOWED).get(0));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        // A known path with another digest, and an excluded path.
        ImaPolicy k = keylimePolicy();
        Map<String, Set<String>> digests = new TreeMap<>(k.digests());
        digests.put("/data", Set.of("00".repeat(32)));
        AttestationResult other = d.verifier(e, Optional.of(new ImaPolicy(digests, k.excludes()))).appraise(e,
                AppraisalContext.periodic());
        assertEquals(List.of(new Finding(TpmAppraiser.IMA_NOT_ALLOWED, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                "/submods/os//data/file-digest", "00".repeat(32), real.get(1).split(" ")[3])),
                other.findings(TpmAppraiser.IMA_NOT_ALLOWED));
        AttestationResult excluded = d.verifier(e, Optional.of(new ImaPolicy(digests, List.of("/da")))).appraise(e,
                AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(excluded));
    }

    @Test
    void aViolationExtendsAllOnesAndIsAWarningUnderAnAllowlist() throws Exception {
        String violation = violationLine("/var/log/written");
        d.append(real.get(0), violation);
        d.extend(real.get(0), violation);
        byte[] e = d.evidence(d.collect());
        AttestationResult plain = d.verifier(e, Optional.empty()).appraise(e, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(plain));
        assertEquals("entries 0..1 bound (2 now), 0 pending", bound(plain));
        AttestationResult r = d.verifier(e, Optional.of(keylimePolicy())).appraise(e, AppraisalContext.periodic());
        assertEquals(List.of(new Finding(TpmAppraiser.IMA_VIOLATION, TrustClaim.EXECUTABLES, Severity.WARNING,
                "/submods/os//var/log/written/violation", "a measurement of the file's content",
                "violation (open for write while measured)")), r.findings(TpmAppraiser.IMA_VIOLATION));
        assertEquals(List.of(TpmAppraiser.IMA_VIOLATION), tpmChecks(r));
    }

    @Test
    void aForgedFileDigestInTheListIsCaught() throws Exception {
        d.extend(real.toArray(String[]::new));
        String[] f = real.get(1).split(" ");
        String forged = f[0] + " " + f[1] + " " + f[2] + " sha256:" + "ab".repeat(32) + " " + f[4];
        d.append(real.get(0), forged);
        byte[] e = d.evidence(d.collect());
        AttestationResult r = d.verifier(e, Optional.empty()).appraise(e, AppraisalContext.periodic());
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
        d.append(real.toArray(String[]::new));
        d.extend(real.toArray(String[]::new));
        List<Measurement> ms = new ArrayList<>(d.collect());
        int at = 0;
        while (!ms.get(at).component().name().equals("/data")) {
            at++;
        }
        byte[] digest = HEX.parseHex(real.get(1).split(" ")[3].split(":")[1]);
        digest[0] ^= 1;
        ms.set(at, withValue(ms.get(at), "file-digest", new Value.Bytes(digest)));
        byte[] e = d.evidence(ms);
        Verifier v = d.verifier(e, Optional.empty());
        AttestationResult r = v.appraise(e, AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_TEMPLATE_MISMATCH), tpmChecks(r));
        Finding f = r.findings(TpmAppraiser.IMA_TEMPLATE_MISMATCH).get(0);
        assertEquals("/submods/os//data/template-hash", f.path());
        assertEquals(HEX.formatHex(HashAlg.SHA1.hash(ImaFixture.ngData("sha256", digest, "/data", null))), f.expected());
        assertEquals(real.get(1).split(" ")[1], f.actual());
        // Nothing from /data on can be bound any more.
        AttestationResult next = v.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_MISMATCH), tpmChecks(next));
        assertEquals("unbound since entry 1 (not rebuilt)", next.findings(TpmAppraiser.IMA_MISMATCH).get(0).actual());
    }

    @Test
    void aConsistentEntryThatWasNeverExtendedIsAMismatchWithTheNextQuote() throws Exception {
        String fake = ngLine("/usr/bin/innocent", "never measured");
        d.append(real.get(0), real.get(1), fake);
        d.extend(real.toArray(String[]::new));
        byte[] first = d.evidence(d.collect());
        Verifier v = d.verifier(first, Optional.empty());
        AttestationResult r1 = v.appraise(first, AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r1), "an entry ahead of the quote is carried");
        assertEquals("entries 0..1 bound (2 now), 1 pending", bound(r1));
        AttestationResult r2 = v.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
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
        d.append(later);
        d.extend(later);
        AttestationResult r3 = v.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_MISMATCH), tpmChecks(r3));
        assertEquals("unbound since entry 2 (no replay matched the quote)",
                r3.findings(TpmAppraiser.IMA_MISMATCH).get(0).actual());
    }

    @Test
    void aTpmRebootRestartsTheReplay() throws Exception {
        d.append(real.toArray(String[]::new));
        d.extend(real.toArray(String[]::new));
        byte[] first = d.evidence(d.collect());
        Verifier v = d.verifier(first, Optional.empty());
        assertEquals("entries 0..1 bound (2 now), 0 pending", bound(v.appraise(first, AppraisalContext.periodic())));
        // Reboot: TPM Reset (PCRs back to zero, resetCount + 1) and a new, shorter list.
        d.reboot();
        AttestationResult r = v.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.TPM_REBOOT), tpmChecks(r));
        assertEquals("entries 0..0 bound (1 now), 0 pending", bound(r));
        d.append(real.get(1));
        d.extend(real.get(1));
        AttestationResult r2 = v.appraise(d.evidence(d.collect()), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(r2));
        assertEquals("entries 0..1 bound (1 now), 0 pending", bound(r2));
    }

    @Test
    void aQuoteThatFailsVerificationNeverMovesTheImaState() throws Exception {
        d.append(real.get(0));
        d.extend(real.get(0));
        byte[] first = d.evidence(d.collect());
        Verifier v = d.verifier(first, Optional.empty());
        assertEquals("entries 0..0 bound (1 now), 0 pending", bound(v.appraise(first, AppraisalContext.periodic())));
        d.append(real.get(1));
        d.extend(real.get(1));
        List<Measurement> ms = d.collect();
        Measurement q = ms.get(0);
        byte[] sig = ((Value.Bytes) q.value("signature").orElseThrow()).value();
        sig[sig.length - 1] ^= 1;
        List<Measurement> bad = new ArrayList<>(ms);
        bad.set(0, withValue(q, "signature", new Value.Bytes(sig)));
        AttestationResult r = v.appraise(d.evidence(bad), AppraisalContext.periodic());
        assertEquals(List.of("tpm.signature_invalid"), tpmChecks(r));
        assertEquals(List.of(), r.findings(TpmAppraiser.IMA_BOUND));
        // The same entries with the genuine quote: the state still expects index 1, so they bind.
        AttestationResult good = v.appraise(d.evidence(ms), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(good));
        assertEquals("entries 0..1 bound (1 now), 0 pending", bound(good));
    }

    @Test
    void entriesMustBeContiguous() throws Exception {
        d.append(real.toArray(String[]::new));
        d.extend(real.toArray(String[]::new));
        List<Measurement> c1 = d.collect();
        byte[] first = d.evidence(c1);
        Verifier v = d.verifier(first, Optional.empty());
        assertEquals(List.of(), tpmChecks(v.appraise(first, AppraisalContext.periodic())));
        String third = ngLine("/usr/bin/third", "third");
        d.append(third);
        d.extend(third);
        List<Measurement> c2 = d.collect();
        // The device drops /usr/bin/third (index 2) from its evidence: a gap, by the summary's count.
        List<Measurement> gap = c2.stream().filter(m -> !m.component().name().equals("/usr/bin/third")).toList();
        AttestationResult r = v.appraise(d.evidence(gap), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_SEQUENCE), tpmChecks(r));
        assertEquals(new Finding(TpmAppraiser.IMA_SEQUENCE, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                "/submods/os/ima-log/entries", "2 entries", "3 entries"), r.findings(TpmAppraiser.IMA_SEQUENCE).get(0));
        // On another verifier: /data re-sent after it was bound is an overlap.
        Verifier w = d.verifier(first, Optional.empty());
        w.appraise(first, AppraisalContext.periodic());
        Measurement data = c1.stream().filter(m -> m.component().name().equals("/data")).findFirst().orElseThrow();
        List<Measurement> overlap = new ArrayList<>(c2);
        overlap.add(2, data);
        AttestationResult o = w.appraise(d.evidence(overlap), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.IMA_SEQUENCE), tpmChecks(o));
        assertEquals(new Finding(TpmAppraiser.IMA_SEQUENCE, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                "/submods/os//data/index", "index 2", "index 1"), o.findings(TpmAppraiser.IMA_SEQUENCE).get(0));
        // A list re-sent whole from index 0 (the agent restarted) binds again from zero.
        AttestationResult a = w.appraise(d.evidence(d.collect(ImaCollector.of(d.list))), AppraisalContext.periodic());
        assertEquals(List.of(), tpmChecks(a));
        assertEquals("entries 0..2 bound (3 now), 0 pending", bound(a));
    }
}
