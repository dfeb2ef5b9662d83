package dev.attest.verify.psa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.VerificationKey;
import dev.attest.testkit.Vectors;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.Checks;
import dev.attest.verify.Finding;
import dev.attest.verify.Verifier;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Veraison psatoken's vectors (github.com/veraison/psatoken testvectors): Trusted Firmware-M's
 * signed tokens verify with its public key and appraise against reference values taken from its
 * claims; its MACed tokens are refused without a symmetric key; every claim-set vector decodes or
 * is refused for the reason its name gives.
 */
class PsaInteropTest {
    static final String ORIGIN = "veraison-psatoken";
    static final byte[] TFM_NONCE = new byte[64];

    static VerificationKey tfmKey() throws Exception {
        return PsaTestKit.pemKey(Files.readString(PsaTestKit.file(ORIGIN, "testvectors/tf-m/public.pem")),
                SignatureAlgorithm.ES256);
    }

    /** Endorsements of the TF-M instance: its key, and its own claimed components as reference values. */
    static PsaEndorsements tfmEndorsements(byte[] token, int changeComponent) throws Exception {
        PsaClaims c = PsaTestKit.unverified(token);
        List<PsaSoftwareComponent> refs = new ArrayList<>();
        for (int i = 0; i < c.softwareComponents().size(); i++) {
            PsaSoftwareComponent s = c.softwareComponents().get(i);
            byte[] m = s.measurement();
            if (i == changeComponent) {
                m[0] ^= 1;
            }
            refs.add(PsaSoftwareComponent.reference(s.type(), m, s.version(), s.signerId()));
        }
        return PsaEndorsements.builder().instance(c.instanceId(), tfmKey()).references(c.implementationId(), refs)
                .build();
    }

    @Test
    void tfmSignedTokensVerifyWithItsPublicKey() throws Exception {
        for (String name : List.of("psa-iot-1_sign1.bin", "psa-2_0_0_sign1.bin")) {
            byte[] token = PsaTestKit.read(ORIGIN, "testvectors/tf-m/" + name);
            PsaClaims c = PsaScheme.of(tfmEndorsements(token, -1)).verify(token);
            assertEquals(name.startsWith("psa-iot") ? PsaProfile.PSA_IOT_1 : PsaProfile.PSA_2_0_0, c.profile(), name);
            assertEquals("01fa58755f658627ce5460f29b75296713248cae7ad9e2984b90280efcbcb50248", c.instanceIdHex());
            assertEquals(3002, c.clientId());
            assertEquals(PsaClaims.SecurityLifecycle.SECURED, c.lifecycle());
            assertEquals(List.of("SPE", "NSPE"), c.softwareComponents().stream().map(s -> s.type().orElseThrow()).toList());
            assertEquals(List.of("1.6.0", "0.0.0"), c.softwareComponents().stream().map(s -> s.version().orElseThrow()).toList());
            assertEquals(Optional.of("0604565272829-10010"), c.certificationReference());
        }
    }

    @Test
    void tfmProfile2TokenCarriesTheClaimsOfItsDiagnosticNotation() throws Exception {
        byte[] token = PsaTestKit.read(ORIGIN, "testvectors/tf-m/psa-2_0_0_sign1.bin");
        PsaClaims verified = PsaScheme.of(tfmEndorsements(token, -1)).verify(token);
        assertEquals(PsaClaims.decode(PsaTestKit.diagFile(ORIGIN, "testvectors/tf-m/psa-2_0_0_claims.diag")), verified);
        assertEquals(PsaClaims.decode(PsaTestKit.diagFile(ORIGIN, "testvectors/cbor/P2ClaimsTFM.diag")), verified);
    }

    @Test
    void tfmTokenWithAnotherKeyIsABadSignature() throws Exception {
        byte[] token = PsaTestKit.read(ORIGIN, "testvectors/tf-m/psa-2_0_0_sign1.bin");
        PsaClaims c = PsaTestKit.unverified(token);
        VerificationKey other = dev.attest.evidence.SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty())
                .verificationKey().orElseThrow();
        PsaException e = assertThrows(PsaException.class,
                () -> PsaScheme.of(PsaEndorsements.builder().instance(c.instanceId(), other).build()).verify(token));
        assertEquals(PsaException.Reason.BAD_SIGNATURE, e.reason());
        PsaException unknown = assertThrows(PsaException.class,
                () -> PsaScheme.of(PsaEndorsements.builder().build()).verify(token));
        assertEquals(PsaException.Reason.UNKNOWN_INSTANCE, unknown.reason());
        assertEquals("/256", unknown.path());
    }

    @Test
    void tfmMacedTokensAreRefusedWithoutASymmetricKey() throws Exception {
        for (String name : List.of("psa-iot-1_mac0.bin", "psa-2_0_0_mac0.bin")) {
            byte[] token = PsaTestKit.read(ORIGIN, "testvectors/tf-m/" + name);
            byte[] sign1 = PsaTestKit.read(ORIGIN, "testvectors/tf-m/" + name.replace("mac0", "sign1"));
            PsaException e = assertThrows(PsaException.class, () -> PsaScheme.of(tfmEndorsements(sign1, -1)).verify(token));
            assertEquals(PsaException.Reason.MAC0_WITHOUT_KEY, e.reason(), name);
        }
    }

    @Test
    void tfmTokenAppraisesAffirmingThroughTheVerifierAndAChangedReferenceIsContraindicated() throws Exception {
        byte[] token = PsaTestKit.read(ORIGIN, "testvectors/tf-m/psa-2_0_0_sign1.bin");
        Verifier ok = Verifier.builder().trustAnchors(dev.attest.verify.TrustAnchors.pinned(java.util.Map.of()))
                .scheme(PsaScheme.of(tfmEndorsements(token, -1))).build();
        AttestationResult r = ok.appraise(token, AppraisalContext.challenge(TFM_NONCE));
        assertEquals(TrustTier.AFFIRMING, r.status(), r.findings().toString());
        assertEquals(List.of(), r.findings());
        assertEquals(Optional.of("01fa58755f658627ce5460f29b75296713248cae7ad9e2984b90280efcbcb50248"), r.device());
        assertEquals(TrustClaim.APPROVED_RUNTIME, r.trustVector().value(TrustClaim.EXECUTABLES));
        assertEquals(TrustClaim.GENUINE_HARDWARE, r.trustVector().value(TrustClaim.HARDWARE));

        Verifier changed = Verifier.builder().trustAnchors(dev.attest.verify.TrustAnchors.pinned(java.util.Map.of()))
                .scheme(PsaScheme.of(tfmEndorsements(token, 0))).build();
        AttestationResult bad = changed.appraise(token, AppraisalContext.challenge(TFM_NONCE));
        assertEquals(TrustTier.CONTRAINDICATED, bad.status());
        Finding f = bad.findings(Checks.REFERENCE_DIGEST).get(0);
        assertEquals("SPE", f.path());
        assertEquals("96a2ec56c65120a60ce3a53ef8d2082233772aacd5b17935a92be12ac577f685", f.actual());
        assertEquals("SPE", bad.findings(Checks.REFERENCE_MISSING).get(0).path());
        assertEquals(TrustClaim.CONTRAINDICATED_RUNTIME, bad.trustVector().value(TrustClaim.EXECUTABLES));
    }

    // ---- claim-set vectors (testvectors/cbor) ----

    static final List<String> VALID = List.of("P1ClaimsAll.diag", "P1ClaimsAllNoSwMeasurements.diag",
            "P1ClaimsMandatoryOnly.diag", "P1ClaimsMandatoryOnlyNoSwMeasurements.diag", "P1ClaimsTFM.diag",
            "P2ClaimsAll.diag", "P2ClaimsMandatoryOnly.diag", "P2ClaimsTFM.diag");

    @Test
    void everyClaimsVectorIsCovered() throws Exception {
        Path dir = Vectors.dir(ORIGIN + "/testvectors/cbor");
        try (Stream<Path> s = Files.list(dir)) {
            List<String> all = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
            List<String> covered = new ArrayList<>(VALID);
            covered.addAll(List.of("P1ClaimsMissingMandatoryNonce.diag", "P2ClaimsInvalidMultiNonce.diag",
                    "P2ClaimsMissingMandatoryNonce.diag"));
            assertEquals(covered.stream().sorted().toList(), all);
        }
    }

    @Test
    void validClaimsVectorsDecode() throws Exception {
        for (String v : VALID) {
            PsaClaims c = PsaClaims.decode(PsaTestKit.diagFile(ORIGIN, "testvectors/cbor/" + v));
            assertEquals(v.startsWith("P1") ? PsaProfile.PSA_IOT_1 : PsaProfile.PSA_2_0_0, c.profile(), v);
            assertEquals(v.contains("NoSwMeasurements"), c.softwareComponents().isEmpty(), v);
        }
        PsaClaims all = PsaClaims.decode(PsaTestKit.diagFile(ORIGIN, "testvectors/cbor/P2ClaimsAll.diag"));
        assertEquals(8, all.bootSeed().orElseThrow().length);
        assertEquals(Optional.of("https://veraison.example/v1/challenge-response"), all.verificationService());
        assertEquals(2147483647L, all.clientId());
    }

    @Test
    void invalidClaimsVectorsAreRefusedForTheirReason() throws Exception {
        assertRefused("P1ClaimsMissingMandatoryNonce.diag", PsaException.Reason.MISSING_CLAIM, "/-75008");
        assertRefused("P2ClaimsMissingMandatoryNonce.diag", PsaException.Reason.MISSING_CLAIM, "/10");
        assertRefused("P2ClaimsInvalidMultiNonce.diag", PsaException.Reason.BAD_NONCE, "/10");
    }

    private static void assertRefused(String vector, PsaException.Reason reason, String path) throws Exception {
        byte[] claims = PsaTestKit.diagFile(ORIGIN, "testvectors/cbor/" + vector);
        PsaException e = assertThrows(PsaException.class, () -> PsaClaims.decode(claims), vector);
        assertEquals(reason, e.reason(), vector + ": " + e.getMessage());
        assertEquals(path, e.path(), vector);
    }

    @Test
    void theDiagnosticReaderReadsWhatItIsGiven() {
        assertEquals("a30102206178614140", HexFormat.of().formatHex(dev.attest.core.internal.cbor.CborEncoder.encode(
                PsaTestKit.diag("{1: 2, -1: \"x\", \"A\": h''}"))));
    }
}
