package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.verify.ear.TrustTier;
import dev.attest.verify.psa.PsaEndorsements;
import dev.attest.verify.psa.PsaScheme;
import dev.attest.verify.psa.PsaSoftwareComponent;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The SDK's EAT profile is one scheme of the dispatch, the last: listed, routed by content and media type. */
class EatSchemeTest {
    static final String PSA_MEDIA_TYPE = "application/psa-attestation-token";

    @Test
    void theEatProfileIsTheLastSchemeOfEveryVerifier() throws Exception {
        TestDevice dev = new TestDevice("dev1");
        Verifier plain = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of("dev1", dev.publicKey()))).build();
        assertEquals(List.of(), plain.schemes());
        assertEquals(List.of("eat"), plain.allSchemes());
        Verifier mixed = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of()))
                .scheme(PsaScheme.of(PsaEndorsements.builder().build())).build();
        assertEquals(List.of("psa"), mixed.schemes());
        assertEquals(List.of("psa", "eat"), mixed.allSchemes());
        EatScheme eat = mixed.eatScheme();
        assertEquals("eat", eat.id());
        assertEquals(java.util.Set.of(Verifier.EAT_MEDIA_TYPE), eat.mediaTypes());
    }

    @Test
    void dispatchByContentAndByMediaTypeReachesEatAndPsa() throws Exception {
        TestDevice dev = new TestDevice("dev1");
        SigningKey psaKey = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        PsaScheme psa = PsaScheme.of(PsaEndorsements.builder()
                .instance(SchemeDispatchTest.INSTANCE, psaKey.verificationKey().orElseThrow())
                .references(SchemeDispatchTest.IMPLEMENTATION, List.of(PsaSoftwareComponent.reference(Optional.of("BL"),
                        SchemeDispatchTest.MEASUREMENT, Optional.empty(), Optional.empty()))).build());
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of("dev1", dev.publicKey())))
                .scheme(psa).clock(Clock.fixed(dev.now, ZoneOffset.UTC)).build();
        String psaDevice = "01" + "00".repeat(32);
        byte[] nonce = new byte[32];
        nonce[0] = 7;

        byte[] first = dev.evidence(dev.cycle(), nonce);
        EatScheme eat = v.eatScheme();
        assertTrue(eat.recognizes(first));
        // By content: the SDK's evidence goes to the EAT scheme, with its continuity (first seen).
        AttestationResult byContent = v.appraise(first, AppraisalContext.challenge(nonce));
        assertEquals(Optional.of("dev1"), byContent.device());
        assertTrue(byContent.claims().isPresent());
        assertEquals(1, byContent.findings(Checks.FIRST_SEEN).size());
        assertEquals(0, byContent.findings(Checks.NONCE).size());
        // The EAT scheme's SPI mapping is the one its results carry.
        assertEquals(byContent.trustVector(), eat.trustVector(true, byContent.findings()));
        // The same evidence again is a replay of the log and its nonce is not spent twice.
        AttestationResult replay = v.appraise(first, AppraisalContext.challenge(nonce));
        assertEquals(TrustTier.CONTRAINDICATED, replay.status());
        assertEquals(1, replay.findings(Checks.REPLAY).size());

        // By media type: the next evidence of the same device continues its log.
        nonce[1] = 1;
        AttestationResult byType = v.appraise(dev.evidence(dev.cycle(), nonce), Verifier.EAT_MEDIA_TYPE,
                AppraisalContext.challenge(nonce));
        assertEquals(Optional.of("dev1"), byType.device());
        assertEquals(0, byType.findings(Checks.FIRST_SEEN).size());
        assertEquals(0, byType.findings(Checks.REPLAY).size());
        assertEquals(0, byType.findings(Checks.BROKEN).size());

        // PSA by content and by media type.
        nonce[2] = 2;
        byte[] token = SchemeDispatchTest.psaToken(psaKey, nonce);
        assertTrue(psa.recognizes(token));
        AttestationResult p = v.appraise(token, AppraisalContext.challenge(nonce));
        assertEquals(TrustTier.AFFIRMING, p.status(), p.findings().toString());
        assertEquals(Optional.of(psaDevice), p.device());
        nonce[3] = 3;
        AttestationResult typed = v.appraise(SchemeDispatchTest.psaToken(psaKey, nonce), PSA_MEDIA_TYPE,
                AppraisalContext.challenge(nonce));
        assertEquals(TrustTier.AFFIRMING, typed.status(), typed.findings().toString());
        assertEquals(Optional.of(psaDevice), typed.device());
    }

    @Test
    void bytesNoSchemeRecognisesAreRefusedByTheEatProfile() {
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).build();
        byte[] junk = {0x01, 0x02, 0x03};
        assertFalse(v.eatScheme().recognizes(junk));
        AttestationResult r = v.appraise(junk, AppraisalContext.periodic());
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        assertEquals(1, r.findings(Checks.EVIDENCE).size());
        assertEquals("valid signed evidence", r.findings(Checks.EVIDENCE).get(0).expected());
        assertTrue(r.claims().isEmpty());
        assertEquals(r.trustVector(), v.eatScheme().trustVector(false, r.findings()));
    }
}
