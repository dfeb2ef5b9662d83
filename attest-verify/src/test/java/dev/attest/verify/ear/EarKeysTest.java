package dev.attest.verify.ear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.verify.ear.EarException.Reason;
import dev.attest.testkit.Vectors;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** JWK import/export (RFC 7517, RFC 7518 §6.2, RFC 8037 §2) for EAR signing and verification keys. */
class EarKeysTest {
    private static final String X = "usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8";
    private static final String Y = "IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4";
    private static final String D = "V8kgd2ZBRuh2dgyVINBUqpPDr7BOMGcF22CQMIUHtNM";

    private static String ec(String extra) {
        return "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + X + "\",\"y\":\"" + Y + "\"" + extra + "}";
    }

    private static void badVerificationKey(String jwk) {
        EarException e = assertThrows(EarException.class, () -> EarVerificationKey.fromJwk(jwk));
        assertEquals(Reason.BAD_KEY, e.reason(), e.getMessage());
    }

    private static void badSigningKey(String jwk) {
        EarException e = assertThrows(EarException.class, () -> EarSigningKey.fromJwk(jwk));
        assertEquals(Reason.BAD_KEY, e.reason(), e.getMessage());
    }

    @Test
    void veraisonKeysLoad() throws Exception {
        EarVerificationKey pk = EarVerificationKey.readJwk(Vectors.file("ear", "pkey.json"));
        assertEquals(JwsAlgorithm.ES256, pk.algorithm());
        assertEquals(Optional.empty(), pk.kid());
        assertEquals("{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + X + "\",\"y\":\"" + Y + "\"}", pk.toJwk());
        EarSigningKey sk = EarSigningKey.readJwk(Vectors.file("ear", "skey.json"));
        assertEquals(pk, sk.verificationKey());
        assertEquals("EarSigningKey[ES256]", sk.toString());
        assertFalse(sk.toString().contains(D));
        assertEquals(pk, EarVerificationKey.fromJwk(pk.toJwk()));
    }

    @Test
    void verificationKeysRefusePrivateMaterial() throws Exception {
        String privateJwk = Files.readString(Vectors.file("ear", "skey.json"));
        EarException e = assertThrows(EarException.class, () -> EarVerificationKey.fromJwk(privateJwk));
        assertEquals(Reason.BAD_KEY, e.reason());
        assertEquals("d", e.path());
        badSigningKey(ec(""));
    }

    @Test
    void malformedJwksAreRejected() {
        badVerificationKey("");
        badVerificationKey("[]");
        badVerificationKey(ec(",\"x\":\"" + X + "\""));
        badVerificationKey(ec("").replace("\"kty\":\"EC\",", ""));
        badVerificationKey(ec("").replace("P-256", "P-521"));
        badVerificationKey(ec("").replace("P-256", "secp256k1"));
        badVerificationKey(ec("").replace("\"EC\"", "\"RSA\""));
        badVerificationKey(ec("").replace("\"EC\"", "\"oct\""));
        badVerificationKey(ec(",\"alg\":\"ES384\""));
        badVerificationKey(ec(",\"alg\":\"HS256\""));
        badVerificationKey(ec(",\"use\":\"enc\""));
        badVerificationKey(ec(",\"kid\":\"\""));
        badVerificationKey(ec(",\"kid\":1"));
        // Coordinates: exact field length, canonical base64url, on the curve.
        badVerificationKey(ec("").replace(X, X.substring(1)));
        badVerificationKey(ec("").replace(X, "AA" + X));
        badVerificationKey(ec("").replace(X, X + "="));
        badVerificationKey(ec("").replace(Y, "IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX5"));
        badVerificationKey(ec("").replace(Y, "IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX8"));
        badVerificationKey("{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}");
        badVerificationKey("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR\"}");
    }

    @Test
    void signingKeysMustBeConsistent() throws Exception {
        assertEquals(JwsAlgorithm.ES256, EarSigningKey.fromJwk(ec(",\"d\":\"" + D + "\",\"kid\":\"v1\"")).algorithm());
        // Another valid scalar that does not belong to (x, y).
        badSigningKey(ec(",\"d\":\"V8kgd2ZBRuh2dgyVINBUqpPDr7BOMGcF22CQMIUHtNQ\""));
        badSigningKey(ec(",\"d\":\"" + "A".repeat(43) + "\""));
        badSigningKey(ec(",\"d\":\"" + "_".repeat(42) + "w\""));
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair a = g.generateKeyPair();
        KeyPair b = g.generateKeyPair();
        assertEquals(Reason.BAD_KEY, assertThrows(EarException.class,
                () -> EarSigningKey.of(a.getPrivate(), b.getPublic(), Optional.empty())).reason());
        g.initialize(new ECGenParameterSpec("secp521r1"));
        KeyPair p521 = g.generateKeyPair();
        assertEquals(Reason.BAD_KEY, assertThrows(EarException.class,
                () -> EarSigningKey.of(p521.getPrivate(), p521.getPublic(), Optional.empty())).reason());
        assertThrows(IllegalArgumentException.class,
                () -> new EarVerificationKey(a.getPublic(), JwsAlgorithm.ES384, Optional.empty()));
        assertThrows(IllegalArgumentException.class,
                () -> new EarVerificationKey(a.getPublic(), JwsAlgorithm.ES256, Optional.of("")));
    }

    @Test
    void ed25519JwkRoundTripsThroughJca() throws Exception {
        EarSigningKey ed = EarSigningKey.fromJwk(EarVerifierTest.RFC8037_JWK);
        assertEquals(JwsAlgorithm.EDDSA, ed.algorithm());
        assertEquals("{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
                ed.verificationKey().toJwk());
        for (int i = 0; i < 20; i++) {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            EarVerificationKey vk = EarVerificationKey.of(kp.getPublic(), Optional.of("k" + i));
            EarVerificationKey back = EarVerificationKey.fromJwk(vk.toJwk());
            assertEquals(vk.publicKey(), back.publicKey());
            assertEquals(Optional.of("k" + i), back.kid());
        }
    }

    @Test
    void ecJwkKeepsLeadingZeroCoordinates() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        boolean sawShort = false;
        // A coordinate starts with a zero byte with probability 1/256: 300 keys missed one in ~10 %
        // of runs; 3000 keys miss with probability ~1e-10 (the loop stops at the first, ~128 keys).
        for (int i = 0; i < 3000 && !sawShort; i++) {
            KeyPair kp = g.generateKeyPair();
            ECPublicKey pub = (ECPublicKey) kp.getPublic();
            sawShort = pub.getW().getAffineX().bitLength() <= 376 || pub.getW().getAffineY().bitLength() <= 376;
            EarVerificationKey vk = EarVerificationKey.of(pub, Optional.empty());
            assertEquals(JwsAlgorithm.ES384, vk.algorithm());
            assertEquals(vk, EarVerificationKey.fromJwk(vk.toJwk()));
            assertTrue(vk.toJwk().contains("\"crv\":\"P-384\""));
        }
        assertTrue(sawShort, "no coordinate with a leading zero byte in 3000 keys");
    }
}
