package dev.attest.verify.psa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.Checks;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The PSA scheme with tokens made here: every algorithm, Mac0, lifecycle, client id, freshness, strictness. */
class PsaSchemeTest {
    static final byte[] INSTANCE = new byte[33];
    static final byte[] IMPLEMENTATION = new byte[32];
    static final byte[] NONCE = new byte[32];
    static final byte[] BL = new byte[32];
    static final byte[] SIGNER = new byte[32];

    static {
        INSTANCE[0] = 1;
        INSTANCE[1] = 0x42;
        Arrays.fill(IMPLEMENTATION, (byte) 0x11);
        Arrays.fill(NONCE, (byte) 0x22);
        Arrays.fill(BL, (byte) 0x33);
        Arrays.fill(SIGNER, (byte) 0x44);
    }

    /** A profile 2 claims set; {@code tweak} changes it. */
    static byte[] claims(UnaryOperator<Cbor.MapBuilder> tweak) {
        return claims(NONCE, tweak);
    }

    static byte[] claims(byte[] nonce, UnaryOperator<Cbor.MapBuilder> tweak) {
        Cbor.MapBuilder m = Cbor.map().put(265, Cbor.of("tag:psacertified.org,2023:psa#tfm")).put(10, Cbor.of(nonce))
                .put(256, Cbor.of(INSTANCE)).put(2394, Cbor.of(-1)).put(2396, Cbor.of(IMPLEMENTATION));
        m = tweak.apply(m);
        return CborEncoder.encode(m.build());
    }

    static Cbor components(String version) {
        return Cbor.Array.of(Cbor.map().put(1, Cbor.of("BL")).put(2, Cbor.of(BL)).put(4, Cbor.of(version))
                .put(5, Cbor.of(SIGNER)).build());
    }

    static byte[] good() {
        return claims(m -> m.put(2395, Cbor.of(0x3000)).put(2399, components("1.0.0")));
    }

    static PsaEndorsements endorsements(SigningKey key) {
        return PsaEndorsements.builder().instance(INSTANCE, key.verificationKey().orElseThrow())
                .references(IMPLEMENTATION, List.of(PsaSoftwareComponent.reference(Optional.of("BL"), BL,
                        Optional.of("1.0.0"), Optional.of(SIGNER))))
                .build();
    }

    static Verifier verifier(PsaScheme scheme) {
        return Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).scheme(scheme).build();
    }

    @Test
    void es256Es384Es512TokensAppraiseAffirming() throws Exception {
        for (SignatureAlgorithm alg : List.of(SignatureAlgorithm.ES256, SignatureAlgorithm.ES384, SignatureAlgorithm.ES512)) {
            SigningKey key = SigningKey.generate(alg, Optional.empty());
            AttestationResult r = verifier(PsaScheme.of(endorsements(key)))
                    .appraise(PsaTestKit.sign(key, good()), AppraisalContext.challenge(NONCE));
            assertEquals(TrustTier.AFFIRMING, r.status(), alg + ": " + r.findings());
        }
    }

    @Test
    void otherAlgorithmsAreRefused() throws Exception {
        SigningKey ed = SigningKey.generate(SignatureAlgorithm.EDDSA, Optional.empty());
        SigningKey es = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        PsaException e = assertThrows(PsaException.class,
                () -> PsaScheme.of(endorsements(es)).verify(PsaTestKit.sign(ed, good())));
        assertEquals(PsaException.Reason.ALG_NOT_ALLOWED, e.reason());
        assertThrows(IllegalArgumentException.class, () -> endorsements(ed));
    }

    @Test
    void trailingBytesAndOversizeAreRefused() throws Exception {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        byte[] token = PsaTestKit.sign(key, good());
        byte[] longer = Arrays.copyOf(token, token.length + 1);
        assertEquals(PsaException.Reason.TRAILING_BYTES,
                assertThrows(PsaException.class, () -> PsaScheme.of(endorsements(key)).verify(longer)).reason());
        assertEquals(PsaException.Reason.TOO_LARGE, assertThrows(PsaException.class,
                () -> PsaScheme.of(endorsements(key)).verify(new byte[PsaScheme.MAX_TOKEN_BYTES + 1])).reason());
    }

    /** A COSE_Mac0 (RFC 9052 §6.2) made here with the JDK's HMAC, independently of the scheme's code. */
    static byte[] mac0(byte[] key, int alg, byte[] payload) throws Exception {
        byte[] protectedBytes = CborEncoder.encode(Cbor.map().put(1, Cbor.of(alg)).build());
        byte[] macStructure = CborEncoder.encode(Cbor.Array.of(Cbor.of("MAC0"), Cbor.of(protectedBytes),
                Cbor.of(new byte[0]), Cbor.of(payload)));
        String jca = alg == 5 ? "HmacSHA256" : alg == 6 ? "HmacSHA384" : "HmacSHA512";
        Mac mac = Mac.getInstance(jca);
        mac.init(new SecretKeySpec(key, jca));
        return CborEncoder.encode(new Cbor.Tag(17, Cbor.Array.of(Cbor.of(protectedBytes), Cbor.map().build(),
                Cbor.of(payload), Cbor.of(mac.doFinal(macStructure)))));
    }

    @Test
    void mac0VerifiesOnlyWithTheInstancesSymmetricKey() throws Exception {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        PsaScheme withKey = PsaScheme.of(PsaEndorsements.builder().instanceMacKey(INSTANCE, key).references(IMPLEMENTATION,
                List.of(PsaSoftwareComponent.reference(Optional.of("BL"), BL, Optional.empty(), Optional.empty()))).build());
        for (int alg : new int[] {5, 6, 7}) {
            byte[] token = mac0(key, alg, good());
            assertEquals(TrustTier.AFFIRMING, verifier(withKey).appraise(token, AppraisalContext.challenge(NONCE)).status());
        }
        byte[] other = key.clone();
        other[0] ^= 1;
        assertEquals(PsaException.Reason.BAD_SIGNATURE,
                assertThrows(PsaException.class, () -> withKey.verify(mac0(other, 5, good()))).reason());
        SigningKey es = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        AttestationResult r = verifier(PsaScheme.of(endorsements(es))).appraise(mac0(key, 5, good()),
                AppraisalContext.challenge(NONCE));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        assertTrue(r.findings(Checks.EVIDENCE).get(0).actual().startsWith("MAC0_WITHOUT_KEY"));
    }

    @Test
    void aDebugLifecycleIsAnUntrustworthyInstance() throws Exception {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        byte[] debug = claims(m -> m.put(2395, Cbor.of(0x5000)).put(2399, components("1.0.0")));
        AttestationResult r = verifier(PsaScheme.of(endorsements(key))).appraise(PsaTestKit.sign(key, debug),
                AppraisalContext.challenge(NONCE));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        assertEquals("RECOVERABLE_PSA_ROT_DEBUG (0x5000)", r.findings(PsaScheme.LIFECYCLE).get(0).actual());
        assertEquals(TrustClaim.UNTRUSTWORTHY_INSTANCE, r.trustVector().value(TrustClaim.INSTANCE_IDENTITY));
        assertEquals(TrustClaim.VISIBLE_MEMORY, r.trustVector().value(TrustClaim.RUNTIME_OPAQUE));
        assertEquals(TrustClaim.UNENCRYPTED_SECRETS, r.trustVector().value(TrustClaim.STORAGE_OPAQUE));
        byte[] undefined = claims(m -> m.put(2395, Cbor.of(0x7000)).put(2399, components("1.0.0")));
        assertEquals(PsaException.Reason.BAD_SECURITY_LIFECYCLE, assertThrows(PsaException.class,
                () -> PsaScheme.of(endorsements(key)).verify(PsaTestKit.sign(key, undefined))).reason());
    }

    @Test
    void versionSignerAndClientIdAreChecked() throws Exception {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        byte[] v2 = claims(m -> m.put(2395, Cbor.of(0x3000)).put(2399, components("2.0.0")));
        AttestationResult r = verifier(PsaScheme.of(endorsements(key))).appraise(PsaTestKit.sign(key, v2),
                AppraisalContext.challenge(NONCE));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        assertEquals("2.0.0", r.findings(Checks.REFERENCE_VERSION).get(0).actual());
        PsaEndorsements otherSigner = PsaEndorsements.builder().instance(INSTANCE, key.verificationKey().orElseThrow())
                .references(IMPLEMENTATION, List.of(PsaSoftwareComponent.reference(Optional.of("BL"), BL,
                        Optional.empty(), Optional.of(new byte[32])))).build();
        r = verifier(PsaScheme.of(otherSigner)).appraise(PsaTestKit.sign(key, good()), AppraisalContext.challenge(NONCE));
        assertEquals("BL", r.findings(PsaScheme.SIGNER).get(0).path());
        r = verifier(PsaScheme.of(endorsements(key)).withClientIds(Set.of(1L))).appraise(PsaTestKit.sign(key, good()),
                AppraisalContext.challenge(NONCE));
        assertEquals("-1", r.findings(PsaScheme.CLIENT_ID).get(0).actual());
        assertEquals(TrustClaim.UNSUPPORTABLE_CONFIG, r.trustVector().value(TrustClaim.CONFIGURATION));
    }

    @Test
    void aNonceIsSpentOnceAndATokenWithoutChallengeIsNotFresh() throws Exception {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        Verifier v = verifier(PsaScheme.of(endorsements(key)));
        byte[] token = PsaTestKit.sign(key, good());
        assertEquals(TrustTier.AFFIRMING, v.appraise(token, AppraisalContext.challenge(NONCE)).status());
        AttestationResult replay = v.appraise(token, AppraisalContext.challenge(NONCE));
        assertEquals(TrustTier.CONTRAINDICATED, replay.status());
        assertEquals(1, replay.findings(Checks.NONCE_REPLAY).size());
        AttestationResult pushed = v.appraise(token, AppraisalContext.periodic());
        assertEquals(TrustTier.CONTRAINDICATED, pushed.status());
        assertEquals("appraised without a challenge", pushed.findings(Checks.NONCE).get(0).actual());
        assertEquals(TrustClaim.CRYPTO_VALIDATION_FAILED, pushed.trustVector().value(TrustClaim.HARDWARE));
    }

    @Test
    void nonceLengthsAndProfiles() throws Exception {
        for (int n : new int[] {32, 48, 64}) {
            byte[] c = claims(new byte[n], m -> m.put(2395, Cbor.of(0x3000)).put(2399, components("1")));
            assertEquals(n, PsaClaims.decode(c).nonce().length);
        }
        for (int n : new int[] {0, 16, 33, 65}) {
            byte[] c = claims(new byte[n], m -> m.put(2395, Cbor.of(0x3000)).put(2399, components("1")));
            assertEquals(PsaException.Reason.BAD_NONCE, assertThrows(PsaException.class, () -> PsaClaims.decode(c)).reason());
        }
        byte[] p1 = CborEncoder.encode(Cbor.map().put(-75000, Cbor.of("http://arm.com/psa/2.0.0")).build());
        assertEquals(PsaException.Reason.UNKNOWN_PROFILE, assertThrows(PsaException.class, () -> PsaClaims.decode(p1)).reason());
        byte[] unknown = claims(m -> m.put(2395, Cbor.of(0x3000)).put(2399, components("1")).put(999, Cbor.of(1)));
        PsaException e = assertThrows(PsaException.class, () -> PsaClaims.decode(unknown));
        assertEquals(PsaException.Reason.UNKNOWN_CLAIM, e.reason());
        assertEquals("/999", e.path());
        byte[] mixed = claims(m -> m.put(2395, Cbor.of(0x3000)).put(2399, components("1")).put(-75008, Cbor.of(NONCE)));
        assertEquals(PsaException.Reason.UNKNOWN_CLAIM, assertThrows(PsaException.class, () -> PsaClaims.decode(mixed)).reason());
        byte[] noComponents = claims(m -> m.put(2395, Cbor.of(0x3000)).put(2399, new Cbor.Array(List.of())));
        assertEquals(PsaException.Reason.BAD_SOFTWARE_COMPONENTS,
                assertThrows(PsaException.class, () -> PsaClaims.decode(noComponents)).reason());
    }

    @Test
    void recognisesPsaTokensAndNothingElse() throws Exception {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("k")));
        PsaScheme s = PsaScheme.of(endorsements(key));
        assertTrue(s.recognizes(PsaTestKit.sign(key, good())));
        assertTrue(s.recognizes(mac0(new byte[32], 5, good())));
        assertFalse(s.recognizes(PsaTestKit.sign(key, CborEncoder.encode(Cbor.map().put(265, Cbor.of("other")).build()))));
        assertFalse(s.recognizes(new byte[] {(byte) 0xd2, (byte) 0x84, 0x40, (byte) 0xa0}));
        assertFalse(s.recognizes(new byte[0]));
    }
}
