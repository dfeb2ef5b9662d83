package dev.attest.verify.ear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.verify.ear.EarException.Reason;
import dev.attest.testkit.Vectors;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The relying-party checks of {@link EarVerifier}, each failure with its exact reason. */
class EarVerifierTest {
    private static final Instant IAT = Instant.ofEpochSecond(1_764_000_000L);
    private static final Clock NOW = Clock.fixed(IAT.plusSeconds(5), ZoneOffset.UTC);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    /** RFC 8037 Appendix A.1 Ed25519 key. */
    static final String RFC8037_JWK = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
            + "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";

    private static EarSigningKey es256;
    private static EarSigningKey otherEs256;
    private static EarVerifier verifier;

    @BeforeAll
    static void keys() throws Exception {
        es256 = EarSigningKey.readJwk(Vectors.file("ear", "skey.json"));
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        otherEs256 = EarSigningKey.of(kp.getPrivate(), kp.getPublic(), Optional.empty());
        verifier = EarVerifier.builder().key(EarVerificationKey.readJwk(Vectors.file("ear", "pkey.json"))).clock(NOW).build();
    }

    /**
     * Without a provider of the caller's, EARs are signed and verified by the SDK's Bouncy Castle
     * instance with JDK keys converted once; the JDK's own provider is the oracle both ways, for
     * every algorithm, and another key's signature never verifies.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(JwsAlgorithm.class)
    void signaturesInteroperateWithTheJdkProvider(JwsAlgorithm alg) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(alg == JwsAlgorithm.EDDSA ? "Ed25519" : "EC");
        if (alg != JwsAlgorithm.EDDSA) {
            g.initialize(new ECGenParameterSpec(alg == JwsAlgorithm.ES256 ? "secp256r1" : "secp384r1"));
        }
        KeyPair kp = g.generateKeyPair();
        EarSigningKey key = EarSigningKey.of(kp.getPrivate(), kp.getPublic(), Optional.of("k"));
        java.security.Provider jdk = java.security.Security.getProvider("SunEC");
        EarVerifier ours = EarVerifier.builder().key(key.verificationKey()).clock(NOW).build();
        EarVerifier viaJdk = EarVerifier.builder().key(key.verificationKey()).clock(NOW).provider(jdk).build();

        String signedByUs = EarSigner.create(key).sign(ear());
        String signedByJdk = EarSigner.create(key, jdk).sign(ear());
        assertEquals(ear(), viaJdk.verify(signedByUs));
        assertEquals(ear(), ours.verify(signedByJdk));
        assertEquals(ear(), ours.verify(signedByUs));
        String[] parts = signedByUs.split("\\.");
        Signature s = Signature.getInstance(alg.jcaName(), jdk);
        s.initVerify(kp.getPublic());
        s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(s.verify(Base64.getUrlDecoder().decode(parts[2])), "the JDK verifies our signature");

        KeyPair other = g.generateKeyPair();
        String forged = EarSigner.create(EarSigningKey.of(other.getPrivate(), other.getPublic(), Optional.of("k")))
                .sign(ear());
        assertEquals(Reason.BAD_SIGNATURE, assertThrows(EarException.class, () -> ours.verify(forged)).reason());
        assertEquals(Reason.BAD_SIGNATURE, assertThrows(EarException.class, () -> viaJdk.verify(forged)).reason());

        if (alg != JwsAlgorithm.EDDSA) {
            // One verifier's ECDSA key checks its first signature with Bouncy Castle's engine and
            // later ones with its comb: both answer as the JDK for the edges of r and s.
            int len = alg.signatureLength() / 2;
            java.math.BigInteger n = ((java.security.interfaces.ECPublicKey) kp.getPublic()).getParams().getOrder();
            byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
            java.math.BigInteger r = new java.math.BigInteger(1, java.util.Arrays.copyOfRange(sig, 0, len));
            java.math.BigInteger sv = new java.math.BigInteger(1, java.util.Arrays.copyOfRange(sig, len, 2 * len));
            java.math.BigInteger ones = java.math.BigInteger.ONE.shiftLeft(8 * len).subtract(java.math.BigInteger.ONE);
            java.math.BigInteger[][] pairs = {
                {r, sv}, {r, n.subtract(sv)}, {r, java.math.BigInteger.ZERO}, {java.math.BigInteger.ZERO, sv},
                {n, sv}, {r, n}, {ones, sv}, {sv, r}, {r.add(java.math.BigInteger.ONE), sv},
            };
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < pairs.length; i++) {
                    byte[] raw = new byte[2 * len];
                    System.arraycopy(org.bouncycastle.util.BigIntegers.asUnsignedByteArray(len, pairs[i][0]), 0, raw, 0, len);
                    System.arraycopy(org.bouncycastle.util.BigIntegers.asUnsignedByteArray(len, pairs[i][1]), 0, raw, len, len);
                    String jwt = parts[0] + "." + parts[1] + "." + B64.encodeToString(raw);
                    boolean jdkAccepts = accepts(viaJdk, jwt);
                    assertEquals(jdkAccepts, accepts(ours, jwt), "pair " + i + ", round " + round);
                    assertEquals(i < 2, jdkAccepts, "pair " + i);
                }
            }
        }
    }

    /** Whether {@code v} verifies {@code jwt}; false only for a bad signature. */
    private static boolean accepts(EarVerifier v, String jwt) {
        try {
            v.verify(jwt);
            return true;
        } catch (EarException e) {
            assertEquals(Reason.BAD_SIGNATURE, e.reason(), e.getMessage());
            return false;
        }
    }

    private static Ear ear() {
        return Ear.builder(new VerifierId("https://attest.dev", "test"), IAT)
                .nonce("MTIzNDU2Nzg5MGFi")
                .submod("app", EarAppraisal.of(TrustTier.AFFIRMING,
                        TrustVector.EMPTY.with(TrustClaim.EXECUTABLES, TrustClaim.APPROVED_RUNTIME), "p1"))
                .build();
    }

    /** A JWS with any header and payload, signed by {@code key} as ES256 would be. */
    private static String forge(String header, byte[] payload, EarSigningKey key) throws Exception {
        String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(payload);
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(key.privateKey());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + B64.encodeToString(s.sign());
    }

    private static String forge(String header) throws Exception {
        return forge(header, EarCodec.toJson(ear()), es256);
    }

    private static EarException fails(EarVerifier v, String jwt) {
        return assertThrows(EarException.class, () -> v.verify(jwt));
    }

    private static void assertFails(Reason reason, String jwt) {
        EarException e = fails(verifier, jwt);
        assertEquals(reason, e.reason(), e.getMessage());
    }

    @Test
    void signedEarVerifies() throws Exception {
        String jwt = EarSigner.create(es256).sign(ear());
        assertTrue(jwt.startsWith(B64.encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."));
        assertEquals(ear(), verifier.verify(jwt));
        assertEquals(ear(), verifier.verify(jwt, "MTIzNDU2Nzg5MGFi"));
        assertEquals(ear(), verifier.verify(forge("{\"alg\":\"ES256\"}")));
        assertEquals(ear(), verifier.verify(forge("{\"alg\":\"ES256\",\"typ\":\"application/EAT+JWT\",\"x5u\":\"https://evil\"}")));
    }

    @Test
    void wrongKeyAndTamperingFailTheSignature() throws Exception {
        assertFails(Reason.BAD_SIGNATURE, EarSigner.create(otherEs256).sign(ear()));
        String jwt = EarSigner.create(es256).sign(ear());
        String[] p = jwt.split("\\.");
        String otherPayload = B64.encodeToString(EarCodec.toJson(Ear.builder(new VerifierId("x", "y"), IAT)
                .submod("app", EarAppraisal.of(TrustTier.AFFIRMING, TrustVector.EMPTY, "p1")).build()));
        assertFails(Reason.BAD_SIGNATURE, p[0] + "." + otherPayload + "." + p[2]);
        assertFails(Reason.BAD_SIGNATURE, p[0] + "." + p[1] + "." + p[2].substring(0, 84)); // 63-byte signature
        byte[] sig = Base64.getUrlDecoder().decode(p[2]);
        sig[63] ^= 1;
        assertFails(Reason.BAD_SIGNATURE, p[0] + "." + p[1] + "." + B64.encodeToString(sig));
        // r = s = 0 (the "psychic signature" shape, CVE-2022-21449).
        assertFails(Reason.BAD_SIGNATURE, p[0] + "." + p[1] + "." + B64.encodeToString(new byte[64]));
    }

    @Test
    void algorithmsOutsideTheAllowListAreRejectedBeforeAnyKeyIsUsed() throws Exception {
        String payload = B64.encodeToString(EarCodec.toJson(ear()));
        String none = B64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        assertFails(Reason.MALFORMED_JWS, none + "." + payload + ".");
        assertFails(Reason.ALGORITHM_NOT_ALLOWED, none + "." + payload + "." + B64.encodeToString(new byte[64]));
        // HS256 keyed with the public key's bytes: the classic algorithm-confusion forgery.
        String hsHeader = B64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(es256.verificationKey().toJwk().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] tag = mac.doFinal((hsHeader + "." + payload).getBytes(StandardCharsets.US_ASCII));
        EarException e = fails(verifier, hsHeader + "." + payload + "." + B64.encodeToString(tag));
        assertEquals(Reason.ALGORITHM_NOT_ALLOWED, e.reason());
        assertEquals("alg", e.path());
        assertFails(Reason.ALGORITHM_NOT_ALLOWED, forge("{\"alg\":\"RS256\"}"));
        assertFails(Reason.ALGORITHM_NOT_ALLOWED, forge("{\"alg\":\"es256\"}"));
        // ES384 is supported, but this verifier's only key is ES256, so ES384 is not on its list.
        assertFails(Reason.ALGORITHM_NOT_ALLOWED, forge("{\"alg\":\"ES384\"}"));
        EarVerifier edOnly = EarVerifier.builder().key(EarVerificationKey.readJwk(Vectors.file("ear", "pkey.json")))
                .algorithms(Set.of(JwsAlgorithm.EDDSA)).clock(NOW).build();
        assertEquals(Reason.ALGORITHM_NOT_ALLOWED, fails(edOnly, EarSigner.create(es256).sign(ear())).reason());
        EarVerifier withEd = EarVerifier.builder().key(EarVerificationKey.readJwk(Vectors.file("ear", "pkey.json")))
                .algorithms(Set.of(JwsAlgorithm.ES256, JwsAlgorithm.EDDSA)).clock(NOW).build();
        assertEquals(Reason.UNKNOWN_KEY, fails(withEd, EarSigner.create(EarSigningKey.fromJwk(RFC8037_JWK)).sign(ear())).reason());
    }

    @Test
    void headerRules() throws Exception {
        assertFails(Reason.BAD_HEADER, forge("{\"typ\":\"JWT\"}"));
        assertFails(Reason.BAD_HEADER, forge("{\"alg\":[\"ES256\"]}"));
        assertFails(Reason.BAD_HEADER, forge("{\"alg\":\"ES256\",\"crit\":[\"exp\"],\"exp\":1}"));
        assertFails(Reason.BAD_HEADER, forge("{\"alg\":\"ES256\",\"b64\":false}"));
        assertFails(Reason.BAD_HEADER, forge("{\"alg\":\"ES256\",\"cty\":\"JWT\"}"));
        assertFails(Reason.BAD_HEADER, forge("{\"alg\":\"ES256\",\"zip\":\"DEF\"}"));
        assertFails(Reason.BAD_HEADER, forge("{\"alg\":\"ES256\",\"alg\":\"ES256\"}"));
        assertFails(Reason.BAD_HEADER, forge("[\"ES256\"]"));
        assertFails(Reason.BAD_HEADER, forge("{\"alg\":\"ES256\"} "  + "x"));
        assertFails(Reason.BAD_HEADER, forge("{\"alg\":\"ES256\",\"kid\":7}"));
        assertFails(Reason.BAD_TYPE, forge("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}"));
        assertFails(Reason.BAD_TYPE, forge("{\"alg\":\"ES256\",\"typ\":\"JOSE\"}"));
        EarVerifier typed = EarVerifier.builder().key(EarVerificationKey.readJwk(Vectors.file("ear", "pkey.json")))
                .requireType("application/eat+jwt").clock(NOW).build();
        assertEquals(ear(), typed.verify(forge("{\"alg\":\"ES256\",\"typ\":\"eat+jwt\"}")));
        assertEquals(Reason.BAD_TYPE, fails(typed, forge("{\"alg\":\"ES256\"}")).reason());
        assertEquals(Reason.BAD_TYPE, fails(typed, EarSigner.create(es256).sign(ear())).reason());
    }

    @Test
    void compactSerializationIsStrict() throws Exception {
        String jwt = EarSigner.create(es256).sign(ear());
        String[] p = jwt.split("\\.");
        assertFails(Reason.MALFORMED_JWS, p[0] + "." + p[1]);
        assertFails(Reason.MALFORMED_JWS, jwt + ".");
        assertFails(Reason.MALFORMED_JWS, p[0] + "." + p[1] + "." + p[2] + ".x.y");
        assertFails(Reason.MALFORMED_JWS, p[0] + ".." + p[2]);
        assertFails(Reason.MALFORMED_JWS, p[0] + "=." + p[1] + "." + p[2]);
        assertFails(Reason.MALFORMED_JWS, p[0] + "." + p[1].replace('-', '+') .replace('_', '/') + "x" + "." + p[2]);
        assertFails(Reason.MALFORMED_JWS, " " + jwt);
        assertFails(Reason.MALFORMED_JWS, jwt + "\n");
        assertFails(Reason.TOO_LARGE, "a".repeat(EarVerifier.MAX_JWT_CHARS + 1));
        // Non-canonical base64url: same bytes, other final character.
        String last = p[2].substring(p[2].length() - 1);
        char other = (char) (last.charAt(0) ^ 1);
        String noncanon = p[0] + "." + p[1] + "." + p[2].substring(0, p[2].length() - 1) + other;
        // 64 bytes leave the last character 4 unused bits; flipping its lowest bit sets one of them.
        assertFails(Reason.MALFORMED_JWS, noncanon);
    }

    @Test
    void payloadMustBeAValidEar() throws Exception {
        assertFails(Reason.MALFORMED_JSON, forge("{\"alg\":\"ES256\"}", "not json".getBytes(StandardCharsets.UTF_8), es256));
        byte[] ko = java.nio.file.Files.readAllBytes(Vectors.file("ear", "ear-claims-key-attestation-ko.json"));
        assertFails(Reason.MISSING_CLAIM, forge("{\"alg\":\"ES256\"}", ko, es256));
    }

    @Test
    void kidSelectsTheKey() throws Exception {
        EarVerificationKey a = new EarVerificationKey(es256.verificationKey().publicKey(), JwsAlgorithm.ES256, Optional.of("a"));
        EarVerificationKey b = new EarVerificationKey(otherEs256.verificationKey().publicKey(), JwsAlgorithm.ES256, Optional.of("b"));
        EarVerifier v = EarVerifier.builder().key(a).key(b).clock(NOW).build();
        assertEquals(ear(), v.verify(forge("{\"alg\":\"ES256\",\"kid\":\"a\"}")));
        assertEquals(ear(), v.verify(forge("{\"alg\":\"ES256\"}")));
        EarException e = fails(v, forge("{\"alg\":\"ES256\",\"kid\":\"c\"}"));
        assertEquals(Reason.UNKNOWN_KEY, e.reason());
        assertEquals("kid", e.path());
        assertEquals(Reason.BAD_SIGNATURE, fails(v, forge("{\"alg\":\"ES256\",\"kid\":\"b\"}")).reason());
        EarSigningKey withKid = EarSigningKey.of(es256.privateKey(), es256.verificationKey().publicKey(), Optional.of("a"));
        String jwt = EarSigner.create(withKid).sign(ear());
        assertTrue(jwt.startsWith(B64.encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"a\"}".getBytes(StandardCharsets.UTF_8))));
        assertEquals(ear(), v.verify(jwt));
    }

    @Test
    void timeChecks() throws Exception {
        EarSigner signer = EarSigner.create(es256);
        Ear expiring = Ear.builder(new VerifierId("d", "b"), IAT).expiry(IAT.plusSeconds(600))
                .submod("s", EarAppraisal.of(TrustTier.AFFIRMING, TrustVector.EMPTY, "p")).build();
        String jwt = signer.sign(expiring);
        EarVerificationKey pk = es256.verificationKey();
        assertEquals(expiring, verifier.verify(jwt));
        EarVerifier late = EarVerifier.builder().key(pk).clock(Clock.fixed(IAT.plusSeconds(659), ZoneOffset.UTC)).build();
        assertEquals(expiring, late.verify(jwt));
        EarVerifier later = EarVerifier.builder().key(pk).clock(Clock.fixed(IAT.plusSeconds(660), ZoneOffset.UTC)).build();
        assertEquals(Reason.EXPIRED, fails(later, jwt).reason());
        EarVerifier strict = EarVerifier.builder().key(pk).clockSkew(Duration.ZERO)
                .clock(Clock.fixed(IAT.plusSeconds(600), ZoneOffset.UTC)).build();
        assertEquals(Reason.EXPIRED, fails(strict, jwt).reason());

        EarVerifier early = EarVerifier.builder().key(pk).clock(Clock.fixed(IAT.minusSeconds(61), ZoneOffset.UTC)).build();
        assertEquals(Reason.ISSUED_IN_FUTURE, fails(early, signer.sign(ear())).reason());
        EarVerifier aged = EarVerifier.builder().key(pk).maxAge(Duration.ofMinutes(5))
                .clock(Clock.fixed(IAT.plusSeconds(361), ZoneOffset.UTC)).build();
        assertEquals(Reason.TOO_OLD, fails(aged, signer.sign(ear())).reason());
        EarVerifier fresh = EarVerifier.builder().key(pk).maxAge(Duration.ofMinutes(5))
                .clock(Clock.fixed(IAT.plusSeconds(359), ZoneOffset.UTC)).build();
        assertEquals(ear(), fresh.verify(signer.sign(ear())));

        Ear notBefore = Ear.builder(new VerifierId("d", "b"), IAT).extension("nbf", new EarJson(Long.toString(IAT.getEpochSecond() + 120)))
                .submod("s", EarAppraisal.of(TrustTier.AFFIRMING, TrustVector.EMPTY, "p")).build();
        assertEquals(Reason.NOT_YET_VALID, fails(verifier, signer.sign(notBefore)).reason());
        Ear badNbf = Ear.builder(new VerifierId("d", "b"), IAT).extension("nbf", EarJson.ofString("soon"))
                .submod("s", EarAppraisal.of(TrustTier.AFFIRMING, TrustVector.EMPTY, "p")).build();
        assertEquals(Reason.WRONG_TYPE, fails(verifier, signer.sign(badNbf)).reason());
    }

    @Test
    void nonceBinding() throws Exception {
        String jwt = EarSigner.create(es256).sign(ear());
        EarException e = assertThrows(EarException.class, () -> verifier.verify(jwt, "MTIzNDU2Nzg5MGFj"));
        assertEquals(Reason.NONCE_MISMATCH, e.reason());
        String noNonce = EarSigner.create(es256).sign(Ear.builder(new VerifierId("d", "b"), IAT)
                .submod("s", EarAppraisal.of(TrustTier.AFFIRMING, TrustVector.EMPTY, "p")).build());
        assertEquals(Reason.NONCE_MISMATCH, assertThrows(EarException.class, () -> verifier.verify(noNonce, "MTIzNDU2Nzg5MGFi")).reason());
    }

    @Test
    void ed25519MatchesRfc8037AndEs384RoundTrips() throws Exception {
        // RFC 8037 §A.4: Ed25519 is deterministic, so the signature is fixed. Our verifier checks it
        // and only then rejects the payload, which is not an EAR.
        String rfc = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
                + "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
        EarSigningKey ed = EarSigningKey.fromJwk(RFC8037_JWK);
        EarVerifier v = EarVerifier.builder().key(ed.verificationKey()).clock(NOW).build();
        assertEquals(Reason.MALFORMED_JSON, fails(v, rfc).reason());
        String tampered = rfc.substring(0, rfc.length() - 2) + "Ag".replace('A', 'B');
        assertEquals(Reason.BAD_SIGNATURE, fails(v, tampered).reason());
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(ed.privateKey());
        s.update("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc".getBytes(StandardCharsets.US_ASCII));
        assertEquals(rfc.substring(rfc.lastIndexOf('.') + 1), B64.encodeToString(s.sign()));
        assertEquals(ear(), v.verify(EarSigner.create(ed).sign(ear())));

        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair kp = g.generateKeyPair();
        EarSigningKey p384 = EarSigningKey.of(kp.getPrivate(), kp.getPublic(), Optional.empty());
        assertEquals(JwsAlgorithm.ES384, p384.algorithm());
        String jwt = EarSigner.create(p384).sign(ear());
        assertEquals(96, Base64.getUrlDecoder().decode(jwt.substring(jwt.lastIndexOf('.') + 1)).length);
        assertEquals(ear(), EarVerifier.builder().key(p384.verificationKey()).clock(NOW).build().verify(jwt));
    }

    @Test
    void builderMisuse() {
        assertThrows(IllegalStateException.class, () -> EarVerifier.builder().build());
        assertThrows(IllegalArgumentException.class, () -> EarVerifier.builder().algorithms(Set.of()));
        assertThrows(IllegalArgumentException.class, () -> EarVerifier.builder().clockSkew(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> EarVerifier.builder().maxAge(Duration.ZERO));
    }
}
