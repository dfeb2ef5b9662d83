package dev.attest.tpm.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.core.Value;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.SoftwareQuotes;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.Checks;
import dev.attest.verify.ConfigException;
import dev.attest.verify.Finding;
import dev.attest.verify.Policy;
import dev.attest.verify.Severity;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import dev.attest.verify.ear.TrustTier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The TPM appraiser's quote checks are under the verifier's floor (issue 24): a JSON policy
 * lowering one is refused when the verifier is built with the appraiser, and a policy in code
 * that lowers them anyway leaves a forged, mismatched or wrong-nonce quote contraindicated. Real
 * signed EAT evidence carrying software-signed quotes laid out as a TPM does.
 */
class TpmFloorTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:30Z");
    /** Written out: a check dropped from TpmAppraiser.FLOOR fails this test. */
    private static final List<String> TPM_FLOOR = List.of("tpm.ak-mismatch", "tpm.bad_magic", "tpm.clock-rollback",
            "tpm.key_not_restricted_signing", "tpm.malformed_attest", "tpm.malformed_signature", "tpm.nonce_mismatch",
            "tpm.not_a_quote", "tpm.pcr_digest_mismatch", "tpm.pcr_values_missing", "tpm.quote-incomplete",
            "tpm.quote-missing", "tpm.scheme_mismatch", "tpm.sha1_not_allowed", "tpm.signature_invalid",
            "tpm.unsupported_key");
    /** A policy in code that lowers every finding but answers the build's question truthfully. */
    private static final Policy SNEAKY = new Policy() {
        @Override
        public String id() {
            return "sneaky";
        }

        @Override
        public Severity severity(Finding f) {
            return f.expected().isEmpty() && f.actual().isEmpty() ? f.severity() : Severity.INFO;
        }
    };

    private SoftwareQuotes q;
    private SigningKey key;
    private MeasurementLog log;
    private LogHead lastSent;

    @BeforeEach
    void setUp() throws Exception {
        q = SoftwareQuotes.ecc();
        key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("dev-1")));
        log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-1", 4096);
        lastSent = log.head();
    }

    private Verifier.Builder builder(Policy policy) {
        return Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of("dev-1", key.verificationKey().orElseThrow())))
                .policy(policy).clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .appraiser(TpmAppraiser.builder().enroll("dev-1", q.ak).requiredPcrs(q.selection).build());
    }

    /** The device's next evidence: its log extent holding {@code quote}, signed, with {@code nonce} if given. */
    private byte[] evidence(Map<String, Value> quote, byte[] nonce) throws Exception {
        List<LogEntry> entries = log.append(List.of(TpmAppraiserTest.quote(quote)));
        EatClaims.Builder b = EatClaims.builder().iat(NOW).measurementLog(lastSent, entries, log.head());
        if (nonce != null) {
            b.nonce(nonce);
        }
        lastSent = log.head();
        return EvidenceEncoder.of(key).encode(b.build());
    }

    @Test
    void theQuoteChecksAreTheAppraisersFloor() {
        assertEquals(new TreeSet<>(TPM_FLOOR), TpmAppraiser.FLOOR);
        assertEquals(TpmAppraiser.FLOOR, TpmAppraiser.builder().build().floor());
        for (String lowerable : List.of(TpmAppraiser.TPM_REBOOT, TpmAppraiser.EVENTLOG_MISMATCH,
                TpmAppraiser.IMA_NOT_ALLOWED, TpmAppraiser.PCR_SELECTION_INCOMPLETE, TpmAppraiser.AK_NOT_ENROLLED,
                TpmAppraiser.SECURE_BOOT)) {
            assertTrue(!TpmAppraiser.FLOOR.contains(lowerable), lowerable);
        }
    }

    @Test
    void aJsonPolicyLoweringAQuoteCheckIsRefusedWhenTheVerifierIsBuilt() throws Exception {
        for (String check : TPM_FLOOR) {
            for (String entry : List.of(check, "tpm.*")) {
                Policy p = Policy.fromJson("{\"attest-policy\": 1, \"id\": \"lax\", \"severity\": {\"" + entry
                        + "\": \"warning\"}}");
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder(p).build(), entry);
                ConfigException cause = assertInstanceOf(ConfigException.class, e.getCause());
                assertEquals(ConfigException.Reason.BELOW_FLOOR, cause.reason());
                assertEquals("/severity/" + entry, cause.path());
            }
        }
        // What the policy may weigh still loads and builds.
        builder(Policy.fromJson("{\"attest-policy\": 1, \"id\": \"ok\", \"severity\": {\"tpm.reboot\": \"info\", "
                + "\"tpm.eventlog-mismatch\": \"warning\", \"tpm.ima-not-allowed\": \"warning\", "
                + "\"tpm.signature_invalid\": \"contraindicated\"}}")).build();
    }

    @Test
    void aCodePolicyLoweringAQuoteCheckIsRefusedAtBuild() {
        Policy p = new Policy() {
            @Override
            public String id() {
                return "code";
            }

            @Override
            public Severity severity(Finding f) {
                return f.check().startsWith("tpm.") ? Severity.INFO : f.severity();
            }
        };
        ConfigException cause = assertInstanceOf(ConfigException.class,
                assertThrows(IllegalStateException.class, () -> builder(p).build()).getCause());
        assertEquals(ConfigException.Reason.BELOW_FLOOR, cause.reason());
        assertEquals("/severity/tpm.ak-mismatch", cause.path(), "the first in id order");
    }

    @Test
    void aForgedMismatchedOrWrongNonceQuoteStaysContraindicatedUnderAnyPolicy() throws Exception {
        Verifier v = builder(SNEAKY).build();
        AttestationResult good = v.appraise(evidence(TpmAppraiserTest.values(q, q.good()), null),
                AppraisalContext.periodic());
        assertEquals(List.of(), contraindicated(good), good.findings().toString());

        // Signed by another key than the enrolled AK.
        SoftwareQuotes other = SoftwareQuotes.ecc();
        Map<String, Value> forged = TpmAppraiserTest.values(q,
                q.sign(q.goodAttest().encode(), HashAlg.SHA256, other.keys.getPrivate()));
        assertHeld(v.appraise(evidence(forged, null), AppraisalContext.periodic()), "tpm.signature_invalid");

        // PCR values that are not the ones the quote's digest covers.
        Map<String, Value> pcrs = TpmAppraiserTest.values(q, q.good());
        Map<String, Value> changed = new TreeMap<>(((Value.MapValue) pcrs.get("pcrs")).values());
        changed.put("sha256:7", new Value.Bytes(new byte[32]));
        pcrs.put("pcrs", Value.MapValue.of(changed));
        assertHeld(v.appraise(evidence(pcrs, null), AppraisalContext.periodic()), "tpm.pcr_digest_mismatch");

        // The EAT answers the challenge, the quote answers another one.
        byte[] challenge = "challenge-nonce-0001".getBytes(StandardCharsets.US_ASCII);
        assertHeld(v.appraise(evidence(TpmAppraiserTest.values(q, q.good()), challenge),
                AppraisalContext.challenge(challenge)), "tpm.nonce_mismatch");

        // The quote stripped from the evidence of a device with an enrolled AK.
        List<LogEntry> entries = log.append(List.of(Measurement.builder(dev.attest.core.ComponentId.of("x"),
                dev.attest.core.Layer.APPLICATION).collector("file-digest").time(NOW)
                .digest(DigestAlgorithm.SHA_256.hash(new byte[] {1})).build()));
        byte[] stripped = EvidenceEncoder.of(key).encode(EatClaims.builder().iat(NOW)
                .measurementLog(lastSent, entries, log.head()).build());
        lastSent = log.head();
        assertHeld(v.appraise(stripped, AppraisalContext.periodic()), TpmAppraiser.QUOTE_MISSING);
    }

    private static void assertHeld(AttestationResult r, String check) {
        assertTrue(contraindicated(r).contains(check), check + ": " + r.findings());
        assertEquals(TrustTier.CONTRAINDICATED, r.status(), r.findings().toString());
        Finding f = r.findings(check).get(0);
        Finding told = r.findings().get(r.findings().indexOf(f) + 1);
        assertEquals(Checks.POLICY_FLOOR, told.check());
        assertEquals("policy sneaky gave info", told.actual());
        // Nothing outside the floor kept a severity above the sneaky policy's.
        assertTrue(r.findings().stream().filter(x -> x.severity() == Severity.CONTRAINDICATED)
                .allMatch(x -> Checks.inFloor(x.check()) || TpmAppraiser.FLOOR.contains(x.check())), r.findings().toString());
    }

    private static List<String> contraindicated(AttestationResult r) {
        return r.findings().stream().filter(f -> f.severity() == Severity.CONTRAINDICATED).map(Finding::check).toList();
    }
}
