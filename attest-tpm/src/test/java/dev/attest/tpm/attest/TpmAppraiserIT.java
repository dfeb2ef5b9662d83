package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.CollectionContext;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.core.Value;
import dev.attest.core.collectors.BootEventLogCollector;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EatProfile;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.Swtpm;
import dev.attest.tpm.Tpm;
import dev.attest.tpm.TpmtPublic;
import dev.attest.tpm.eventlog.Event;
import dev.attest.tpm.eventlog.EventLog;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.Finding;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.Severity;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import dev.attest.testkit.Vectors;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with real quotes: swtpm measured with a real boot event log -> TpmQuoteCollector and
 * BootEventLogCollector -> MeasurementLog -> EvidenceEncoder -> Verifier with TpmAppraiser.
 */
class TpmAppraiserIT {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final String LOG = "sb_cert_eventlog";
    @TempDir
    Path dir;
    private Swtpm swtpm;
    private Path logFile;
    private byte[] rawLog;
    private SigningKey key;
    private MeasurementLog mlog;
    private LogHead sent;
    private TpmtPublic enrolledAk;
    private long cycle;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(dir.resolve("tpm1"));
        swtpm = Swtpm.start(dir.resolve("tpm1"));
        logFile = Vectors.dir("tcg-eventlog").resolve(LOG);
        rawLog = Files.readAllBytes(logFile);
        measure(swtpm, EventLog.parse(rawLog));
        key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("dev-1")));
        mlog = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-1", 4096);
        sent = mlog.head();
        // Enrolment: the verifier learns the AK out of band (here: from the device's TPM directly).
        try (TpmQuoteCollector c = collector(swtpm)) {
            c.collect(context(null));
            enrolledAk = c.attestationKey().orElseThrow();
        }
    }

    @org.junit.jupiter.api.AfterEach
    void tearDown() {
        swtpm.close();
    }

    /** Extends every event of the log into the TPM, as firmware would have. */
    private static void measure(Swtpm tpm, EventLog log) throws Exception {
        try (Tpm t = tpm.connect()) {
            for (Event e : log.events()) {
                if (e.type() == 3) {
                    continue;
                }
                for (HashAlg h : log.banks()) {
                    t.pcrExtend(e.pcr(), h, e.digest(h).orElseThrow());
                }
            }
        }
    }

    private static TpmQuoteCollector collector(Swtpm s) {
        return TpmQuoteCollector.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.port()));
    }

    private CollectionContext context(byte[] nonce) {
        CollectionContext c = CollectionContext.of(++cycle, NOW, Duration.ofSeconds(30));
        return nonce == null ? c : c.withNonce(nonce);
    }

    private List<Measurement> collect(Swtpm s, byte[] nonce, Path eventLog) throws Exception {
        return collect(s, nonce, eventLog, TpmQuoteCollector.DEFAULT_PCRS);
    }

    private List<Measurement> collect(Swtpm s, byte[] nonce, Path eventLog, PcrSelection pcrs) throws Exception {
        List<Measurement> ms = new ArrayList<>();
        try (TpmQuoteCollector c = collector(s).withPcrs(pcrs)) {
            ms.addAll(c.collect(context(nonce)));
        }
        if (eventLog != null) {
            ms.addAll(BootEventLogCollector.of(eventLog).collect(context(nonce)));
        }
        return ms;
    }

    private byte[] evidence(List<Measurement> ms, byte[] nonce) throws Exception {
        List<LogEntry> entries = mlog.append(ms);
        EatClaims.Builder b = EatClaims.builder().profile(EatProfile.PROFILE).iat(NOW).swname("tpm-device")
                .measurementLog(sent, entries, mlog.head());
        if (nonce != null) {
            b.nonce(nonce);
        }
        sent = mlog.head();
        return EvidenceEncoder.of(key).encode(b.build());
    }

    private Verifier verifier(byte[] golden) throws Exception {
        ReferenceValues refs = ReferenceValues.capture(EvidenceDecoder
                .builder(KeyResolver.single(key.verificationKey().orElseThrow())).build().decode(golden).claims());
        return Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of("dev-1", key.verificationKey().orElseThrow())))
                .referenceValues(refs)
                .clock(Clock.fixed(NOW.plusSeconds(5), ZoneOffset.UTC))
                .appraiser(TpmAppraiser.builder().enroll("dev-1", enrolledAk).build())
                .build();
    }

    private static List<String> tpmChecks(AttestationResult r) {
        return r.findings().stream().filter(f -> f.check().startsWith("tpm.") && f.severity() != Severity.INFO)
                .map(Finding::check).toList();
    }

    private static Measurement withValue(Measurement m, String name, Value v) {
        Map<String, Value> vs = new TreeMap<>(m.values());
        vs.put(name, v);
        return Measurement.builder(m.component(), m.layer()).collector(m.collectorId()).time(m.time())
                .digests(m.digests()).values(vs).build();
    }

    @Test
    void healthyDeviceIsAffirmingAndTheLogIsBoundToTheQuote() throws Exception {
        byte[] first = evidence(collect(swtpm, null, logFile), null);
        Verifier v = verifier(first);
        AttestationResult r = v.appraise(first, AppraisalContext.periodic());
        assertEquals(TrustTier.AFFIRMING, r.status(), r.findings().toString());
        List<Finding> sb = r.findings(TpmAppraiser.SECURE_BOOT);
        boolean enabled = EventLog.parse(rawLog).secureBootEnabled().orElseThrow();
        assertEquals(List.of(new Finding(TpmAppraiser.SECURE_BOOT, TrustClaim.CONFIGURATION, Severity.INFO,
                "/submods/firmware/tcg-boot-event-log/event-log", "", enabled ? "enabled" : "disabled")), sb);
        byte[] nonce = "verifier-challenge-0001".getBytes(StandardCharsets.US_ASCII);
        AttestationResult challenged = v.appraise(evidence(collect(swtpm, nonce, logFile), nonce),
                AppraisalContext.challenge(nonce));
        assertEquals(TrustTier.AFFIRMING, challenged.status(), challenged.findings().toString());
        assertEquals(List.of(), tpmChecks(challenged));
    }

    @Test
    void pcrValuesThatLieAboutTheQuoteAreAPcrDigestMismatch() throws Exception {
        byte[] golden = evidence(collect(swtpm, null, null), null);
        Verifier v = verifier(golden);
        assertEquals(List.of(), tpmChecks(v.appraise(golden, AppraisalContext.periodic())));
        Measurement quote = collect(swtpm, null, null).get(0);
        // After quoting, PCR 7 is extended; the device reports the new values with the old quote.
        Map<String, Value> now = new TreeMap<>();
        try (Tpm t = swtpm.connect()) {
            t.pcrExtend(7, HashAlg.SHA256, HashAlg.SHA256.hash("late".getBytes(StandardCharsets.US_ASCII)));
            t.pcrRead(TpmQuoteCollector.DEFAULT_PCRS).asMap().get(HashAlg.SHA256)
                    .forEach((i, b) -> now.put("sha256:" + i, new Value.Bytes(b)));
        }
        AttestationResult r = v.appraise(evidence(List.of(withValue(quote, "pcrs", Value.MapValue.of(now))), null),
                AppraisalContext.periodic());
        assertEquals(List.of("tpm.pcr_digest_mismatch"), tpmChecks(r));
        Finding f = r.findings("tpm.pcr_digest_mismatch").get(0);
        assertEquals(TrustClaim.HARDWARE, f.claim());
        assertEquals(Severity.CONTRAINDICATED, f.severity());
        assertEquals("/submods/tpm/tpm-quote", f.path());
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
    }

    @Test
    void aQuoteFromAnotherTpmIsContraindicated() throws Exception {
        byte[] golden = evidence(collect(swtpm, null, null), null);
        Verifier v = verifier(golden);
        Files.createDirectories(dir.resolve("tpm2"));
        try (Swtpm other = Swtpm.start(dir.resolve("tpm2"))) {
            AttestationResult r = v.appraise(evidence(collect(other, null, null), null), AppraisalContext.periodic());
            assertEquals(List.of(TpmAppraiser.AK_MISMATCH, "tpm.signature_invalid"), tpmChecks(r));
            assertEquals(TrustTier.CONTRAINDICATED, r.status());
        }
        // The right AK's quote, relabelled with the other AK's public area: still the enrolled key
        // that must have signed, so only the label is wrong.
        Measurement q = collect(swtpm, null, null).get(0);
        TpmtPublic rsaAk = TpmtPublic.akRsa2048Template();
        AttestationResult relabelled = v.appraise(evidence(List.of(withValue(q, "ak-public",
                new Value.Bytes(rsaAk.encodeTpm2b()))), null), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.AK_MISMATCH), tpmChecks(relabelled));
    }

    @Test
    void challengeNonceMismatch() throws Exception {
        byte[] golden = evidence(collect(swtpm, null, null), null);
        Verifier v = verifier(golden);
        byte[] asked = "the-verifier-asked-this".getBytes(StandardCharsets.US_ASCII);
        byte[] old = "an-older-challenge-0000".getBytes(StandardCharsets.US_ASCII);
        // The EAT answers the challenge, but the quote was made for another one.
        AttestationResult r = v.appraise(evidence(collect(swtpm, old, null), asked), AppraisalContext.challenge(asked));
        assertEquals(List.of("tpm.nonce_mismatch"), tpmChecks(r));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        // Without an expected nonce in the context, the quote must still answer the EAT's nonce.
        AttestationResult unexpected = v.appraise(evidence(collect(swtpm, old, null), asked), AppraisalContext.periodic());
        assertEquals(List.of("tpm.nonce_mismatch"), tpmChecks(unexpected));
    }

    @Test
    void aTamperedEventLogNamesThePcr() throws Exception {
        byte[] golden = evidence(collect(swtpm, null, logFile), null);
        Verifier v = verifier(golden);
        EventLog log = EventLog.parse(rawLog);
        Event last = log.events().stream().filter(e -> e.type() != 3).reduce((a, b) -> b).orElseThrow();
        byte[] tampered = rawLog.clone();
        // TCG_PCR_EVENT2: pcr(4) type(4) count(4), then per bank algId(2) digest; flip the SHA-256 digest.
        int at = (int) last.offset() + 12;
        int count = log.banks().size();
        for (int i = 0; i < count; i++) {
            int alg = ((tampered[at] & 0xFF) | (tampered[at + 1] & 0xFF) << 8);
            HashAlg h = HashAlg.fromAlgId(alg).orElseThrow();
            if (h == HashAlg.SHA256) {
                tampered[at + 2] ^= 1;
            }
            at += 2 + h.digestSize();
        }
        Path bad = dir.resolve("tampered.log");
        Files.write(bad, tampered);
        AttestationResult r = v.appraise(evidence(collect(swtpm, null, bad), null), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.EVENTLOG_MISMATCH), tpmChecks(r));
        Finding f = r.findings(TpmAppraiser.EVENTLOG_MISMATCH).get(0);
        assertEquals("/submods/tpm/tpm-quote/pcrs/sha256:" + last.pcr(), f.path());
        assertEquals(HexFormat.of().formatHex(log.replay().get(HashAlg.SHA256, last.pcr()).orElseThrow()), f.expected());
        assertEquals(HexFormat.of().formatHex(EventLog.parse(tampered).replay().get(HashAlg.SHA256, last.pcr()).orElseThrow()),
                f.actual());
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
    }

    /**
     * A quote over the SHA-1, SHA-256 and SHA-384 banks is compared with the event log's replay
     * in each: a changed SHA-384 digest (the other banks intact) is named with its bank and PCR,
     * and a quoted SHA-512 bank the log does not record is a finding, not skipped.
     */
    @Test
    void everyQuotedBankIsComparedWithTheEventLog() throws Exception {
        EventLog log = EventLog.parse(rawLog);
        assertEquals(List.of(HashAlg.SHA1, HashAlg.SHA256, HashAlg.SHA384), log.banks());
        PcrSelection three = new PcrSelection(List.of(
                new PcrSelection.Bank(HashAlg.SHA1, new java.util.TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7))),
                new PcrSelection.Bank(HashAlg.SHA256, new java.util.TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))),
                new PcrSelection.Bank(HashAlg.SHA384, new java.util.TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7)))));
        byte[] golden = evidence(collect(swtpm, null, logFile, three), null);
        Verifier v = verifier(golden);
        assertEquals(List.of(), tpmChecks(v.appraise(evidence(collect(swtpm, null, logFile, three), null),
                AppraisalContext.periodic())));
        Event last = log.events().stream().filter(e -> e.type() != 3).reduce((a, b) -> b).orElseThrow();
        byte[] tampered = rawLog.clone();
        int at = (int) last.offset() + 12;
        for (int i = 0; i < log.banks().size(); i++) {
            HashAlg h = HashAlg.fromAlgId((tampered[at] & 0xFF) | (tampered[at + 1] & 0xFF) << 8).orElseThrow();
            if (h == HashAlg.SHA384) {
                tampered[at + 2] ^= 1;
            }
            at += 2 + h.digestSize();
        }
        Path bad = Files.write(dir.resolve("tampered384.log"), tampered);
        AttestationResult r = v.appraise(evidence(collect(swtpm, null, bad, three), null), AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.EVENTLOG_MISMATCH), tpmChecks(r));
        Finding f = r.findings(TpmAppraiser.EVENTLOG_MISMATCH).get(0);
        assertEquals("/submods/tpm/tpm-quote/pcrs/sha384:" + last.pcr(), f.path());
        assertEquals(HexFormat.of().formatHex(EventLog.parse(tampered).replay().get(HashAlg.SHA384, last.pcr()).orElseThrow()),
                f.actual());
        PcrSelection withSha512 = new PcrSelection(List.of(
                new PcrSelection.Bank(HashAlg.SHA256, new java.util.TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))),
                new PcrSelection.Bank(HashAlg.SHA512, new java.util.TreeSet<>(List.of(0, 1)))));
        AttestationResult missing = v.appraise(evidence(collect(swtpm, null, logFile, withSha512), null),
                AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.EVENTLOG_BANK_MISSING), tpmChecks(missing));
        assertEquals("a sha512 bank (the quote covers its boot PCRs)",
                missing.findings(TpmAppraiser.EVENTLOG_BANK_MISSING).get(0).expected());
    }

    @Test
    void anEnrolledDeviceWithoutAQuoteIsContraindicated() throws Exception {
        byte[] golden = evidence(collect(swtpm, null, null), null);
        Verifier v = verifier(golden);
        AttestationResult r = v.appraise(evidence(BootEventLogCollector.of(logFile).collect(context(null)), null),
                AppraisalContext.periodic());
        assertEquals(List.of(TpmAppraiser.QUOTE_MISSING), tpmChecks(r));
        // An enrolled device whose TPM has gone away reports UNSUPPORTED: still no quote.
        swtpm.close();
        List<Measurement> gone = collect(swtpm, null, null);
        assertEquals(Measurement.Status.UNSUPPORTED, gone.get(0).status());
        assertEquals(List.of(TpmAppraiser.QUOTE_MISSING), tpmChecks(v.appraise(evidence(gone, null),
                AppraisalContext.periodic())));
    }
}
