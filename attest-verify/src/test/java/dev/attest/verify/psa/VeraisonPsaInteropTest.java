package dev.attest.verify.psa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.Checks;
import dev.attest.verify.Policy;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Veraison's PSA integration-test cases (github.com/veraison/services integration-tests/data):
 * each claim set signed with the key given there, appraised against the endorsements given there
 * (the CoMID templates of the attestation key and the reference values, read by a small adapter
 * into {@link PsaEndorsements}), reproduces the EAR status and the whole AR4SI trust vector of
 * Veraison's result. Veraison's policy rates unmatched software a warning
 * ({@code executables} 33); {@link #VERAISON_POLICY} says so for this SDK's reference checks.
 */
class VeraisonPsaInteropTest {
    static final String ORIGIN = "veraison-services";
    static final String DATA = "integration-tests/data/";
    /** The session nonce of Veraison's good case (the claims' own nonce). */
    static final byte[] NONCE = Base64.getDecoder().decode("QUp8F0FBs9DpodKK8xUg8NQimf6sQAfe2J1ormzZLxk=");

    static final Policy VERAISON_POLICY;

    static {
        try {
            VERAISON_POLICY = Policy.fromJson("""
                    {"attest-policy": 1, "id": "policy:PSA_IOT", "severity": {
                      "reference.digest": "warning", "reference.missing": "warning",
                      "reference.version": "warning", "reference.signer": "warning"}}""");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static JsonNode json(String path) throws Exception {
        return PsaTestKit.JSON.readTree(PsaTestKit.read(ORIGIN, DATA + path));
    }

    /**
     * The endorsements of comid-psa-ta.json and comid-psa-refval.json: the attester verification
     * key of the instance (bound to its implementation id), and each reference measurement's
     * digest and version. The CoMID's {@code cryptokeys} are not the components' signer ids
     * (Veraison affirms the good case although they differ), so no signer id is required.
     */
    static PsaEndorsements endorsements() throws Exception {
        PsaEndorsements.Builder b = PsaEndorsements.builder();
        for (JsonNode t : json("endorsements/comid-psa-ta.json").at("/triples/attester-verification-keys")) {
            byte[] impl = Base64.getDecoder().decode(t.at("/environment/class/id/value").asText());
            byte[] inst = Base64.getDecoder().decode(t.at("/environment/instance/value").asText());
            String pem = t.at("/verification-keys/0/value").asText();
            b.instance(inst, impl, PsaTestKit.pemKey(pem, SignatureAlgorithm.ES256));
        }
        for (JsonNode t : json("endorsements/comid-psa-refval.json").at("/triples/reference-values")) {
            byte[] impl = Base64.getDecoder().decode(t.at("/environment/class/id/value").asText());
            List<PsaSoftwareComponent> refs = new ArrayList<>();
            for (JsonNode m : t.get("measurements")) {
                byte[] digest = Base64.getUrlDecoder().decode(m.at("/value/digests/0/1").asText());
                Optional<String> version = Optional.ofNullable(m.at("/value/version/value").textValue());
                refs.add(PsaSoftwareComponent.reference(Optional.empty(), digest, version, Optional.empty()));
            }
            b.references(impl, refs);
        }
        return b.build();
    }

    static Verifier verifier() throws Exception {
        return Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).policy(VERAISON_POLICY)
                .scheme(PsaScheme.of(endorsements())).build();
    }

    static byte[] token(String claims, String key) throws Exception {
        SigningKey k = PsaTestKit.jwkSigningKey(PsaTestKit.file(ORIGIN, DATA + "keys/" + key));
        return PsaTestKit.sign(k, PsaTestKit.p2Claims(json("claims/" + claims)));
    }

    /** Asserts the status and every claim of Veraison's vector (absent here = 0 there). */
    static void assertVeraisonResult(String result, AttestationResult r) throws Exception {
        JsonNode expected = json("results/" + result).get("PSA_IOT");
        assertEquals(TrustTier.fromJsonName(expected.get("ear.status").asText()).orElseThrow(), r.status(),
                result + ": " + r.findings());
        JsonNode tv = expected.get("ear.trustworthiness-vector");
        assertEquals(8, tv.size());
        for (TrustClaim c : TrustClaim.values()) {
            assertEquals(tv.get(c.jsonName()).asInt(), r.trustVector().value(c), result + " " + c.jsonName());
        }
        assertEquals(expected.get("ear.appraisal-policy-id").asText(), r.policyId());
    }

    @Test
    void good() throws Exception {
        AttestationResult r = verifier().appraise(token("psa.good.json", "ec.p256.jwk"), AppraisalContext.challenge(NONCE));
        assertVeraisonResult("psa.good.json", r);
        assertEquals(List.of(), r.findings());
        assertEquals(Optional.of(HexFormat.of().formatHex(Base64.getDecoder().decode(
                "Ac7rrnuJJ6MiflMDz14PH3s0u1Qq1yUKwD+83jbsLxUI"))), r.device());
    }

    @Test
    void badSoftwareComponent() throws Exception {
        AttestationResult r = verifier().appraise(token("psa.badswcomp.json", "ec.p256.jwk"),
                AppraisalContext.challenge(NONCE));
        assertVeraisonResult("psa.badswcomp.json", r);
        assertEquals("BL", r.findings(Checks.REFERENCE_DIGEST).get(0).path());
        assertEquals(1, r.findings(Checks.REFERENCE_MISSING).size());
    }

    @Test
    void badInstance() throws Exception {
        AttestationResult r = verifier().appraise(token("psa.badinstance.json", "ec.p256.jwk"),
                AppraisalContext.challenge(NONCE));
        assertVeraisonResult("psa.badinstance.json", r);
        assertEquals(1, r.findings(Checks.IDENTITY_UNKNOWN).size());
    }

    @Test
    void badCrypto() throws Exception {
        AttestationResult r = verifier().appraise(token("psa.good.json", "ec.p256.alt.jwk"),
                AppraisalContext.challenge(NONCE));
        assertVeraisonResult("psa.badcrypto.json", r);
        assertEquals("BAD_SIGNATURE", r.findings(Checks.EVIDENCE).get(0).actual().split(" ")[0]);
    }

    @Test
    void freshnessFailure() throws Exception {
        byte[] session = HexFormat.of().parseHex("75e69d6de79f75e69d6de79f75e69d6de79f75e69d6de79f75e69d6de79f75e6");
        AttestationResult r = verifier().appraise(token("psa.good.json", "ec.p256.jwk"), AppraisalContext.challenge(session));
        assertVeraisonResult("psa.freshness-fail.json", r);
        assertEquals(1, r.findings(Checks.NONCE).size());
    }

    @Test
    void missingClaimsEstablishNoIdentity() throws Exception {
        AttestationResult r = verifier().appraise(token("psa.missingclaims.json", "ec.p256.jwk"),
                AppraisalContext.challenge(NONCE));
        assertVeraisonResult("psa.noident.json", r);
        assertEquals("MISSING_CLAIM", r.findings(Checks.EVIDENCE).get(0).actual().split(" ")[0]);
    }

    @Test
    void twoNoncesAreRefused() throws Exception {
        AttestationResult r = verifier().appraise(token("psa.multinonce.json", "ec.p256.jwk"),
                AppraisalContext.challenge(NONCE));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        assertEquals("BAD_NONCE", r.findings(Checks.EVIDENCE).get(0).actual().split(" ")[0]);
    }

    @Test
    void underTheDefaultPolicyABadComponentIsContraindicated() throws Exception {
        Verifier strict = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of()))
                .scheme(PsaScheme.of(endorsements())).build();
        AttestationResult r = strict.appraise(token("psa.badswcomp.json", "ec.p256.jwk"), AppraisalContext.challenge(NONCE));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        assertEquals(TrustClaim.CONTRAINDICATED_RUNTIME, r.trustVector().value(TrustClaim.EXECUTABLES));
    }
}
