package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.ComponentId;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerifiedEvidence;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.Quote;
import dev.attest.tpm.SoftwareQuotes;
import dev.attest.verify.AppraisalContext;
import dev.attest.tpm.TpmsAttest;
import dev.attest.verify.Finding;
import dev.attest.verify.Severity;
import dev.attest.verify.ear.TrustClaim;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TpmAppraiser's checks one by one, on quotes laid out as a TPM does (software-signed). */
class TpmAppraiserTest {
    private SoftwareQuotes q;
    private TpmAppraiser appraiser;

    @BeforeEach
    void setUp() throws Exception {
        q = SoftwareQuotes.ecc();
        appraiser = TpmAppraiser.builder().enroll("dev-1", q.ak).requiredPcrs(q.selection).build();
    }

    static Map<String, Value> pcrMap(PcrValues pcrs, PcrSelection sel) {
        Map<String, Value> m = new TreeMap<>();
        for (PcrSelection.Bank b : sel.banks()) {
            for (int i : b.pcrs()) {
                m.put(PcrNames.key(b.hash(), i), new Value.Bytes(pcrs.get(b.hash(), i).orElseThrow()));
            }
        }
        return m;
    }

    Map<String, Value> values(Quote quote) {
        return values(q, quote);
    }

    static Map<String, Value> values(SoftwareQuotes q, Quote quote) {
        Map<String, Value> v = new TreeMap<>();
        v.put("attest", new Value.Bytes(quote.attest()));
        v.put("signature", new Value.Bytes(quote.signature()));
        v.put("ak-public", new Value.Bytes(q.ak.encodeTpm2b()));
        v.put("ak-name", new Value.Bytes(q.ak.name()));
        v.put("qualifying-data", new Value.Bytes(q.nonce));
        v.put("pcrs", Value.MapValue.of(pcrMap(q.pcrs, q.selection)));
        return v;
    }

    static Measurement quote(Map<String, Value> values) {
        return Measurement.builder(ComponentId.of("tpm-quote"), Layer.TPM).collector("tpm-quote")
                .time(Instant.parse("2026-11-25T12:00:00Z")).values(values).build();
    }

    static VerifiedEvidence evidence(List<Measurement> ms, byte[]... nonces) {
        EatClaims.Builder b = EatClaims.builder().measurements(ms);
        for (byte[] n : nonces) {
            b.nonce(n);
        }
        SigningKey k = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("dev-1")));
        return new VerifiedEvidence(b.build(), k.verificationKey().orElseThrow(), List.of(), new byte[32]);
    }

    List<String> checks(String device, Map<String, Value> values) {
        return checks(appraiser, device, values);
    }

    static List<String> checks(TpmAppraiser a, String device, Map<String, Value> values) {
        List<Finding> fs = a.appraise(device, evidence(List.of(quote(values))), AppraisalContext.periodic());
        for (Finding f : fs) {
            assertEquals(TrustClaim.HARDWARE, f.claim(), f.toString());
            assertEquals(Severity.CONTRAINDICATED, f.severity(), f.toString());
        }
        return fs.stream().map(Finding::check).toList();
    }

    @Test
    void aGoodQuoteHasNoFindings() throws Exception {
        assertEquals(List.of(), checks("dev-1", values(q.good())));
        assertEquals("tpm", appraiser.id());
    }

    @Test
    void missingOrMalformedValuesAreIncomplete() throws Exception {
        for (String name : List.of("attest", "signature", "ak-public", "qualifying-data", "pcrs")) {
            Map<String, Value> v = values(q.good());
            v.remove(name);
            assertEquals(List.of(TpmAppraiser.QUOTE_INCOMPLETE), checks("dev-1", v), name);
            v.put(name, new Value.Text("not bytes"));
            assertEquals(List.of(TpmAppraiser.QUOTE_INCOMPLETE), checks("dev-1", v), name);
        }
        for (String key : List.of("sha256:x", "sha256:01", "sha256:24", "md5:1", "sha256", "SHA256:1")) {
            Map<String, Value> v = values(q.good());
            Map<String, Value> pcrs = new TreeMap<>(pcrMap(q.pcrs, q.selection));
            pcrs.put(key, new Value.Bytes(new byte[32]));
            v.put("pcrs", Value.MapValue.of(pcrs));
            assertEquals(List.of(TpmAppraiser.QUOTE_INCOMPLETE), checks("dev-1", v), key);
        }
        Map<String, Value> v = values(q.good());
        Map<String, Value> pcrs = new TreeMap<>(pcrMap(q.pcrs, q.selection));
        pcrs.put("sha256:0", new Value.Bytes(new byte[20]));
        v.put("pcrs", Value.MapValue.of(pcrs));
        assertEquals(List.of(TpmAppraiser.QUOTE_INCOMPLETE), checks("dev-1", v));
    }

    @Test
    void aDeviceWithoutAnEnrolledAkProvesNothing() throws Exception {
        assertEquals(List.of(TpmAppraiser.AK_NOT_ENROLLED), checks("dev-2", values(q.good())));
        assertEquals(List.of(), appraiser.appraise("dev-2", evidence(List.of()), AppraisalContext.periodic()));
        assertEquals(List.of(TpmAppraiser.QUOTE_MISSING),
                appraiser.appraise("dev-1", evidence(List.of()), AppraisalContext.periodic()).stream().map(Finding::check).toList());
    }

    @Test
    void theRequiredPcrsMustBeQuoted() throws Exception {
        TpmAppraiser strict = TpmAppraiser.builder().enroll("dev-1", q.ak).build();
        assertEquals(List.of(TpmAppraiser.PCR_SELECTION_INCOMPLETE), checks(strict, "dev-1", values(q.good())));
        TpmAppraiser otherBank = TpmAppraiser.builder().enroll("dev-1", q.ak)
                .requiredPcrs(PcrSelection.of(HashAlg.SHA1, 0)).build();
        assertEquals(List.of(TpmAppraiser.PCR_SELECTION_INCOMPLETE), checks(otherBank, "dev-1", values(q.good())));
        TpmAppraiser none = TpmAppraiser.builder().enroll("dev-1", q.ak).requiredPcrs(new PcrSelection(List.of())).build();
        assertEquals(List.of(), checks(none, "dev-1", values(q.good())));
    }

    @Test
    void sha1QuotesNeedAllowSha1() throws Exception {
        SoftwareQuotes rsa = SoftwareQuotes.rsa();
        // A SHA-1 quote: the pcrDigest too is SHA-1, the signing scheme's hash (Part 3 §18.4).
        Quote sha1 = rsa.sign(rsa.attest(dev.attest.tpm.TpmsAttest.TPM_GENERATED_VALUE, dev.attest.tpm.TpmsAttest.TPM_ST_ATTEST_QUOTE,
                rsa.nonce, HashAlg.SHA1.hash(rsa.pcrs.concatenate(rsa.selection).orElseThrow())).encode(), HashAlg.SHA1);
        Map<String, Value> v = new TreeMap<>();
        v.put("attest", new Value.Bytes(sha1.attest()));
        v.put("signature", new Value.Bytes(sha1.signature()));
        v.put("ak-public", new Value.Bytes(rsa.ak.encodeTpm2b()));
        v.put("ak-name", new Value.Bytes(rsa.ak.name()));
        v.put("qualifying-data", new Value.Bytes(rsa.nonce));
        v.put("pcrs", Value.MapValue.of(pcrMap(rsa.pcrs, rsa.selection)));
        TpmAppraiser refuse = TpmAppraiser.builder().enroll("dev-1", rsa.ak).requiredPcrs(rsa.selection).build();
        assertEquals(List.of("tpm.sha1_not_allowed"), checks(refuse, "dev-1", v));
        TpmAppraiser allow = TpmAppraiser.builder().enroll("dev-1", rsa.ak).requiredPcrs(rsa.selection).allowSha1(true).build();
        assertEquals(List.of(), checks(allow, "dev-1", v));
    }

    @Test
    void theNonceComesFromTheContextThenTheEat() throws Exception {
        Measurement m = quote(values(q.good()));
        byte[] other = "another-nonce-123".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(List.of("tpm.nonce_mismatch"), appraiser.appraise("dev-1", evidence(List.of(m)),
                AppraisalContext.challenge(other)).stream().map(Finding::check).toList());
        assertEquals(List.of(), appraiser.appraise("dev-1", evidence(List.of(m)),
                AppraisalContext.challenge(q.nonce)).stream().map(Finding::check).toList());
        assertEquals(List.of("tpm.nonce_mismatch"), appraiser.appraise("dev-1", evidence(List.of(m), other),
                AppraisalContext.periodic()).stream().map(Finding::check).toList());
        assertEquals(List.of(), appraiser.appraise("dev-1", evidence(List.of(m), other, q.nonce),
                AppraisalContext.periodic()).stream().map(Finding::check).toList());
    }

    private Map<String, Value> withClock(long clock, int resets, int restarts) throws Exception {
        TpmsAttest good = q.goodAttest();
        TpmsAttest a = new TpmsAttest(good.magic(), good.type(), good.qualifiedSigner(), good.extraData(),
                new TpmsAttest.ClockInfo(clock, resets, restarts, true), good.firmwareVersion(), good.pcrSelect(),
                good.pcrDigest());
        return values(q.sign(a.encode(), dev.attest.tpm.HashAlg.SHA256));
    }

    private List<Finding> appraise(Map<String, Value> values) {
        return appraiser.appraise("dev-1", evidence(List.of(quote(values))), AppraisalContext.periodic());
    }

    @Test
    void tpmClockTellsRebootRestartAndRollback() throws Exception {
        assertEquals(List.of(), appraise(withClock(1_000, 3, 1)));
        assertEquals(List.of(), appraise(withClock(2_000, 3, 1)), "same boot, clock moved on");
        List<Finding> restart = appraise(withClock(3_000, 3, 2));
        assertEquals(List.of(TpmAppraiser.TPM_RESTART), restart.stream().map(Finding::check).toList());
        assertEquals(Severity.INFO, restart.get(0).severity());
        List<Finding> reboot = appraise(withClock(50, 4, 0));
        assertEquals(List.of(TpmAppraiser.TPM_REBOOT), reboot.stream().map(Finding::check).toList());
        assertEquals(Severity.WARNING, reboot.get(0).severity());
        List<Finding> rollback = appraise(withClock(10, 3, 2));
        assertEquals(List.of(TpmAppraiser.TPM_CLOCK_ROLLBACK), rollback.stream().map(Finding::check).toList());
        assertEquals(Severity.CONTRAINDICATED, rollback.get(0).severity());
        assertEquals(List.of(), appraise(withClock(60, 4, 0)), "a rolled-back quote does not become the reference");
    }
}
