package dev.attest.verify.psa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.evidence.SigningKey;
import dev.attest.testkit.Vectors;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.Checks;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import dev.attest.verify.corim.CorimDecoder;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import java.nio.file.Files;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The PSA scheme with its key and reference values from a CoRIM: Veraison's valid PSA-scheme
 * CoRIM ({@code scheme/psa-iot/test/corim/corim-psa-valid.cbor}: the attestation key of the
 * instance of the integration tests and the BL, PRoT and ARoT reference values of its
 * implementation) through {@link PsaEndorsements#fromCorims}. The token is Veraison's good claim
 * set with the signer id the CoRIM endorses (the integration-test claims carry another one),
 * signed with the instance's key of the integration tests.
 */
class PsaCorimTest {
    static final byte[] CORIM_SIGNER = Base64.getDecoder().decode("U3h5YwdTXfPsjYsVouLcVkFBnD0wYM/jIjjA+pc/eqM=");

    static byte[] corim() throws Exception {
        return Files.readAllBytes(Vectors.file("veraison-services-corim/scheme/psa-iot/test/corim", "corim-psa-valid.cbor"));
    }

    static Verifier verifier(byte[] corim) throws Exception {
        PsaEndorsements e = PsaEndorsements.fromCorims(List.of(CorimDecoder.builder().allowUnsigned().build().decode(corim)));
        return Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).scheme(PsaScheme.of(e)).build();
    }

    static byte[] token(boolean corimSigner) throws Exception {
        ObjectNode claims = (ObjectNode) VeraisonPsaInteropTest.json("claims/psa.good.json");
        if (corimSigner) {
            for (var c : (ArrayNode) claims.get("psa-software-components")) {
                ((ObjectNode) c).put("signer-id", Base64.getEncoder().encodeToString(CORIM_SIGNER));
            }
        }
        SigningKey k = PsaTestKit.jwkSigningKey(PsaTestKit.file(VeraisonPsaInteropTest.ORIGIN,
                VeraisonPsaInteropTest.DATA + "keys/ec.p256.jwk"));
        return PsaTestKit.sign(k, PsaTestKit.p2Claims(claims));
    }

    @Test
    void aTokenMatchingTheCorimIsAffirming() throws Exception {
        AttestationResult r = verifier(corim()).appraise(token(true), AppraisalContext.challenge(VeraisonPsaInteropTest.NONCE));
        assertEquals(TrustTier.AFFIRMING, r.status(), r.findings().toString());
        assertEquals(List.of(), r.findings());
    }

    @Test
    void anotherSignerIdIsContraindicatedPerComponent() throws Exception {
        AttestationResult r = verifier(corim()).appraise(token(false), AppraisalContext.challenge(VeraisonPsaInteropTest.NONCE));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        assertEquals(List.of("BL", "PRoT", "ARoT"), r.findings(PsaScheme.SIGNER).stream().map(f -> f.path()).toList());
    }

    @Test
    void aChangedReferenceValueInTheCorimIsContraindicatedNamingTheComponent() throws Exception {
        byte[] corim = corim();
        byte[] bl = Base64.getUrlDecoder().decode("h0KPxSKAPTEGXnvOPPA_5HUJZjHl4Hu9eg_eYMTPJcc");
        String hex = HexFormat.of().formatHex(corim);
        int at = hex.indexOf(HexFormat.of().formatHex(bl)) / 2;
        corim[at + 31] ^= 1;
        AttestationResult r = verifier(corim).appraise(token(true), AppraisalContext.challenge(VeraisonPsaInteropTest.NONCE));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        assertEquals("BL", r.findings(Checks.REFERENCE_DIGEST).get(0).path());
        assertEquals(HexFormat.of().formatHex(bl), r.findings(Checks.REFERENCE_DIGEST).get(0).actual());
        assertEquals(TrustClaim.CONTRAINDICATED_RUNTIME, r.trustVector().value(TrustClaim.EXECUTABLES));
    }
}
