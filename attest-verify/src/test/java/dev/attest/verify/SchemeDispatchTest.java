package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.evidence.CoseSign1Message;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.verify.ear.Ear;
import dev.attest.verify.ear.EarCodec;
import dev.attest.verify.ear.EarException;
import dev.attest.verify.ear.EarSigner;
import dev.attest.verify.ear.EarSigningKey;
import dev.attest.verify.ear.EarVerifier;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import dev.attest.verify.ear.TrustVector;
import dev.attest.verify.ear.VerifierId;
import dev.attest.verify.psa.PsaEndorsements;
import dev.attest.verify.psa.PsaScheme;
import dev.attest.verify.psa.PsaSoftwareComponent;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One verifier, a mixed fleet: the SDK's EAT evidence and PSA tokens, by content or by media type. */
class SchemeDispatchTest {
    static final byte[] INSTANCE = new byte[33];
    static final byte[] IMPLEMENTATION = new byte[32];
    static final byte[] MEASUREMENT = new byte[32];

    static {
        INSTANCE[0] = 1;
        Arrays.fill(MEASUREMENT, (byte) 9);
    }

    static byte[] psaToken(SigningKey key, byte[] nonce) throws Exception {
        byte[] claims = CborEncoder.encode(Cbor.map().put(265, Cbor.of("http://arm.com/psa/2.0.0"))
                .put(10, Cbor.of(nonce)).put(256, Cbor.of(INSTANCE)).put(2394, Cbor.of(1)).put(2395, Cbor.of(0x3000))
                .put(2396, Cbor.of(IMPLEMENTATION)).put(2397, Cbor.of(new byte[32]))
                .put(2399, Cbor.Array.of(Cbor.map().put(1, Cbor.of("BL")).put(2, Cbor.of(MEASUREMENT))
                        .put(5, Cbor.of(new byte[32])).build())).build());
        return CoseSign1Message.sign(key, claims);
    }

    @Test
    void oneVerifierAppraisesEatEvidenceAndPsaTokens() throws Exception {
        TestDevice eat = new TestDevice("dev1");
        SigningKey psaKey = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        PsaScheme psa = PsaScheme.of(PsaEndorsements.builder().instance(INSTANCE, psaKey.verificationKey().orElseThrow())
                .references(IMPLEMENTATION, List.of(PsaSoftwareComponent.reference(Optional.of("BL"), MEASUREMENT,
                        Optional.empty(), Optional.empty()))).build());
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of("dev1", eat.publicKey())))
                .scheme(psa).clock(
                        java.time.Clock.fixed(eat.now, java.time.ZoneOffset.UTC)).build();
        assertEquals(List.of("psa"), v.schemes());
        byte[] nonce = new byte[32];
        nonce[0] = 5;
        AttestationResult e = v.appraise(eat.evidence(eat.cycle(), nonce), AppraisalContext.challenge(nonce));
        assertEquals(Optional.of("dev1"), e.device());
        assertTrue(e.claims().isPresent());
        AttestationResult p = v.appraise(psaToken(psaKey, nonce), AppraisalContext.challenge(nonce));
        assertEquals(TrustTier.AFFIRMING, p.status(), p.findings().toString());
        assertEquals(Optional.of("01" + "00".repeat(32)), p.device());
        // The same nonce is spent per device: the EAT device and the PSA instance each used it once.
        AttestationResult again = v.appraise(psaToken(psaKey, nonce), AppraisalContext.challenge(nonce));
        assertEquals(1, again.findings(Checks.NONCE_REPLAY).size());
        nonce[1] = 1;
        AttestationResult typed = v.appraise(psaToken(psaKey, nonce), "application/psa-attestation-token",
                AppraisalContext.challenge(nonce).forDevice("01" + "00".repeat(32)));
        assertEquals(TrustTier.AFFIRMING, typed.status());
        assertThrows(IllegalArgumentException.class,
                () -> v.appraise(new byte[1], "application/unknown", AppraisalContext.periodic()));
        // The SDK's media type takes the EAT path even for a PSA token: no EAT key has no kid, refused.
        AttestationResult asEat = v.appraise(psaToken(psaKey, nonce), Verifier.EAT_MEDIA_TYPE, AppraisalContext.periodic());
        assertEquals(TrustTier.CONTRAINDICATED, asEat.status());
        assertEquals(1, asEat.findings(Checks.IDENTITY_UNKNOWN).size());
        assertTrue(asEat.claims().isEmpty());
    }

    @Test
    void aSchemeThatThrowsIsContraindicatedAndItsMappingCannotAffirmAFinding() {
        EvidenceScheme lenient = new EvidenceScheme() {
            @Override
            public String id() {
                return "lenient";
            }

            @Override
            public Set<String> mediaTypes() {
                return Set.of("application/x-lenient");
            }

            @Override
            public boolean recognizes(byte[] evidence) {
                return evidence.length == 1;
            }

            @Override
            public SchemeAppraisal appraise(byte[] evidence, AppraisalContext context) {
                if (evidence[0] == 0) {
                    throw new IllegalStateException("boom");
                }
                return new SchemeAppraisal(Optional.of(new SchemeClaims("lenient", "d", Optional.empty(), List.of(),
                        List.of(), Optional.of(java.time.Instant.now()))), List.of(new Finding("lenient.bad",
                                TrustClaim.CONFIGURATION, Severity.CONTRAINDICATED, "/", "good", "bad")));
            }

            @Override
            public TrustVector trustVector(boolean verified, List<Finding> findings) {
                return new TrustVector(Map.of(TrustClaim.INSTANCE_IDENTITY, TrustClaim.TRUSTWORTHY_INSTANCE));
            }
        };
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).scheme(lenient).build();
        AttestationResult thrown = v.appraise(new byte[] {0}, AppraisalContext.periodic());
        assertEquals(TrustTier.CONTRAINDICATED, thrown.status());
        assertEquals("IllegalStateException", thrown.findings(Checks.EVIDENCE).get(0).actual());
        assertEquals(TrustTier.CONTRAINDICATED, v.appraise(new byte[] {1}, AppraisalContext.periodic()).status());
    }

    @Test
    void aSchemesFindingsStandOnTheFloorWhateverAPolicyInCodeSays() throws Exception {
        SigningKey psaKey = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        SigningKey stranger = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        PsaScheme psa = PsaScheme.of(PsaEndorsements.builder().instance(INSTANCE, psaKey.verificationKey().orElseThrow())
                .references(IMPLEMENTATION, List.of(PsaSoftwareComponent.reference(Optional.of("BL"), MEASUREMENT,
                        Optional.empty(), Optional.empty()))).build());
        // Lowers every finding the build-time check cannot see (it asks with an empty expected
        // value): the floor must still hold at appraisal.
        Policy sly = new Policy() {
            @Override
            public String id() {
                return "sly";
            }

            @Override
            public Severity severity(Finding f) {
                return f.expected().isEmpty() ? f.severity() : Severity.INFO;
            }
        };
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).scheme(psa).policy(sly).build();
        byte[] nonce = new byte[32];
        nonce[0] = 7;
        byte[] other = nonce.clone();
        other[1] = 1;
        AttestationResult wrongNonce = v.appraise(psaToken(psaKey, other), AppraisalContext.challenge(nonce));
        assertEquals(TrustTier.CONTRAINDICATED, wrongNonce.status(), wrongNonce.findings().toString());
        assertEquals(Severity.CONTRAINDICATED, wrongNonce.findings(Checks.NONCE).get(0).severity());
        assertEquals(1, wrongNonce.findings(Checks.POLICY_FLOOR).size(), wrongNonce.findings().toString());
        AttestationResult forged = v.appraise(psaToken(stranger, nonce), AppraisalContext.challenge(nonce));
        assertEquals(TrustTier.CONTRAINDICATED, forged.status(), forged.findings().toString());
        assertEquals(Severity.CONTRAINDICATED, forged.findings(Checks.EVIDENCE).get(0).severity());
        AttestationResult good = v.appraise(psaToken(psaKey, nonce), AppraisalContext.challenge(nonce));
        assertEquals(TrustTier.AFFIRMING, good.status(), good.findings().toString());
        AttestationResult replayed = v.appraise(psaToken(psaKey, nonce), AppraisalContext.challenge(nonce));
        assertEquals(TrustTier.CONTRAINDICATED, replayed.status(), replayed.findings().toString());
        assertEquals(Severity.CONTRAINDICATED, replayed.findings(Checks.NONCE_REPLAY).get(0).severity());
    }

    @Test
    void aSchemesOwnFloorEntriesAreItsOwnChecks() {
        EvidenceScheme bragging = new EvidenceScheme() {
            @Override
            public String id() {
                return "brag";
            }

            @Override
            public Set<String> floor() {
                return Set.of("reference.digest");
            }

            @Override
            public Set<String> mediaTypes() {
                return Set.of("application/x-brag");
            }

            @Override
            public boolean recognizes(byte[] evidence) {
                return false;
            }

            @Override
            public SchemeAppraisal appraise(byte[] evidence, AppraisalContext context) {
                throw new UnsupportedOperationException();
            }

            @Override
            public TrustVector trustVector(boolean verified, List<Finding> findings) {
                return new TrustVector(Map.of());
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).scheme(bragging).build());
        assertTrue(e.getMessage().contains("scheme brag lists floor entry reference.digest"), e.getMessage());
    }

    @Test
    void aPsaResultsEarBindsTheChallengeAndVerifies() throws Exception {
        SigningKey psaKey = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        PsaScheme psa = PsaScheme.of(PsaEndorsements.builder().instance(INSTANCE, psaKey.verificationKey().orElseThrow())
                .references(IMPLEMENTATION, List.of(PsaSoftwareComponent.reference(Optional.of("BL"), MEASUREMENT,
                        Optional.empty(), Optional.empty()))).build());
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).scheme(psa).build();
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.KeyPair kp = g.generateKeyPair();
        EarSigningKey earKey = EarSigningKey.of(kp.getPrivate(), kp.getPublic(), Optional.of("ear-1"));
        EarVerifier relyingParty = EarVerifier.builder().key(earKey.verificationKey()).build();
        // Profile 2 allows 32, 48 or 64 bytes: the longest is 86 base64url characters, within eat_nonce's 88.
        for (int size : new int[] {32, 48, 64}) {
            byte[] nonce = new byte[size];
            new java.security.SecureRandom().nextBytes(nonce);
            AttestationResult r = v.appraise(psaToken(psaKey, nonce), AppraisalContext.challenge(nonce));
            assertEquals(TrustTier.AFFIRMING, r.status(), r.findings().toString());
            assertEquals(1, r.nonces().size());
            assertArrayEquals(nonce, r.nonces().get(0));
            String b64 = Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
            Ear ear = r.toEar(new VerifierId("attest", "test"));
            assertEquals(Optional.of(b64), ear.nonce());
            assertTrue(EarCodec.toJsonString(ear).contains("\"eat_nonce\":\"" + b64 + "\""));
            String jwt = EarSigner.create(earKey).sign(ear);
            Ear back = relyingParty.verify(jwt, b64);
            assertEquals(TrustTier.AFFIRMING, back.submods().get("01" + "00".repeat(32)).status());
            byte[] other = nonce.clone();
            other[0] ^= 1;
            EarException e = assertThrows(EarException.class,
                    () -> relyingParty.verify(jwt, Base64.getUrlEncoder().withoutPadding().encodeToString(other)));
            assertEquals(EarException.Reason.NONCE_MISMATCH, e.reason());
        }
        // A token answering another challenge: contraindicated, and its EAR carries the nonce the
        // token answered, so the relying party's check fails on its own too.
        byte[] asked = new byte[32];
        asked[0] = 1;
        byte[] answered = new byte[32];
        answered[0] = 2;
        AttestationResult wrong = v.appraise(psaToken(psaKey, answered), AppraisalContext.challenge(asked));
        assertEquals(TrustTier.CONTRAINDICATED, wrong.status());
        String jwt = EarSigner.create(earKey).sign(wrong.toEar(new VerifierId("attest", "test")));
        EarException e = assertThrows(EarException.class,
                () -> relyingParty.verify(jwt, Base64.getUrlEncoder().withoutPadding().encodeToString(asked)));
        assertEquals(EarException.Reason.NONCE_MISMATCH, e.reason());
        // A refused token has no verified nonce: its EAR carries none.
        SigningKey stranger = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        AttestationResult forged = v.appraise(psaToken(stranger, asked), AppraisalContext.challenge(asked));
        assertTrue(forged.nonces().isEmpty());
        assertEquals(Optional.empty(), forged.toEar(new VerifierId("attest", "test")).nonce());
    }

    @Test
    void aSchemesNonceOutsideEatBoundsIsRefusedAsEvidence() {
        EvidenceScheme odd = new EvidenceScheme() {
            @Override
            public String id() {
                return "odd";
            }

            @Override
            public Set<String> mediaTypes() {
                return Set.of("application/x-odd");
            }

            @Override
            public boolean recognizes(byte[] evidence) {
                return evidence.length == 1;
            }

            @Override
            public SchemeAppraisal appraise(byte[] evidence, AppraisalContext context) {
                return new SchemeAppraisal(Optional.of(new SchemeClaims("odd", "d", Optional.empty(), List.of(),
                        List.of(new byte[evidence[0]]), Optional.empty())), List.of());
            }

            @Override
            public TrustVector trustVector(boolean verified, List<Finding> findings) {
                return new TrustVector(Map.of(TrustClaim.INSTANCE_IDENTITY, TrustClaim.TRUSTWORTHY_INSTANCE));
            }
        };
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).scheme(odd).build();
        for (byte size : new byte[] {7, 65}) {
            AttestationResult r = v.appraise(new byte[] {size}, AppraisalContext.periodic());
            assertEquals(TrustTier.CONTRAINDICATED, r.status());
            assertEquals("IllegalArgumentException", r.findings(Checks.EVIDENCE).get(0).actual());
            assertTrue(r.nonces().isEmpty());
        }
    }

    @Test
    void acceptStaleHoldsForEveryScheme() throws Exception {
        java.time.Instant now = java.time.Instant.parse("2026-11-25T12:00:00Z");
        // A scheme whose one-byte token says how many hours ago it was issued.
        EvidenceScheme timed = new EvidenceScheme() {
            @Override
            public String id() {
                return "timed";
            }

            @Override
            public Set<String> mediaTypes() {
                return Set.of("application/x-timed");
            }

            @Override
            public boolean recognizes(byte[] evidence) {
                return evidence.length == 1;
            }

            @Override
            public SchemeAppraisal appraise(byte[] evidence, AppraisalContext context) {
                return new SchemeAppraisal(Optional.of(new SchemeClaims("timed", "t-1", Optional.empty(), List.of(),
                        List.of(), Optional.of(now.minus(java.time.Duration.ofHours(evidence[0]))))), List.of());
            }

            @Override
            public TrustVector trustVector(boolean verified, List<Finding> findings) {
                return new TrustVector(Map.of(TrustClaim.INSTANCE_IDENTITY, TrustClaim.TRUSTWORTHY_INSTANCE));
            }
        };
        java.time.Clock clock = java.time.Clock.fixed(now, java.time.ZoneOffset.UTC);
        Verifier strict = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).scheme(timed).clock(clock).build();
        assertEquals(List.of(Checks.STALE), strict.appraise(new byte[] {2}, AppraisalContext.periodic()).findings()
                .stream().map(Finding::check).toList());
        Verifier offline = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).scheme(timed).clock(clock)
                .policy(Policy.fromJson("{\"attest-policy\": 1, \"id\": \"offline\", \"accept-stale\": {\"up-to\": \"PT72H\"}}"))
                .build();
        AttestationResult late = offline.appraise(new byte[] {2}, AppraisalContext.periodic());
        assertEquals(TrustTier.AFFIRMING, late.status(), late.findings().toString());
        assertEquals(List.of(new Finding(Checks.STALE_ACCEPTED, TrustClaim.INSTANCE_IDENTITY, Severity.INFO, "/iat",
                "issued after 2026-11-25T11:50:00Z, or after 2026-11-22T12:00:00Z under acceptStale(PT72H)",
                "2026-11-25T10:00:00Z (7200 s old)")), late.findings());
        AttestationResult older = offline.appraise(new byte[] {73}, AppraisalContext.periodic());
        assertEquals(TrustTier.CONTRAINDICATED, older.status());
        assertEquals(List.of(new Finding(Checks.STALE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/iat",
                "issued after 2026-11-22T12:00:00Z", "2026-11-22T11:00:00Z")), older.findings());
    }
}
