package dev.attest.verify.ear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.testkit.NodePeer;
import dev.attest.testkit.NodePeer.Result;
import dev.attest.testkit.Vectors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EAR JWTs against a second, independent JOSE implementation: the npm {@code jose} package run
 * by {@code interop/node/ear-verify.mjs} and {@code ear-sign.mjs}, with Veraison's skey/pkey JWKs.
 */
class EarJwtInteropTest {
    private static NodePeer peer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findNode() {
        peer = NodePeer.require("jose");
    }

    private Result node(String script, Path jwk, String stdin) throws Exception {
        return peer.run(tmp, script, stdin.getBytes(StandardCharsets.UTF_8), jwk.toString());
    }

    private static Ear sampleEar() throws Exception {
        Ear base = EarCodec.parse(Files.readAllBytes(Vectors.file("ear", "ear-claims-tv-ok.json")));
        return Ear.builder(new VerifierId("https://attest.dev", "attest-verify 0.1.0"), Instant.ofEpochSecond(1764087600))
                .nonce("bm9uY2Utbm9uY2Utbm9uY2U")
                .rawEvidence(new byte[] {1, 2, 3, (byte) 0xff})
                .submod("test", base.submods().get("test"))
                .submod("kernel", EarAppraisal.of(TrustTier.WARNING,
                        TrustVector.EMPTY.with(TrustClaim.EXECUTABLES, TrustClaim.UNRECOGNIZED_RUNTIME)
                                .with(TrustClaim.HARDWARE, TrustClaim.GENUINE_HARDWARE), "attest:policy/default/1"))
                .extension("attest.findings", new EarJson("[{\"check\":\"w^x\",\"severity\":\"warning\"}]"))
                .build();
    }

    @Test
    void ourEs256JwtVerifiesWithPkeyInNodeJose() throws Exception {
        Ear ear = sampleEar();
        String jwt = EarSigner.create(EarSigningKey.readJwk(Vectors.file("ear", "skey.json"))).sign(ear);
        Result r = node("ear-verify.mjs", Vectors.file("ear", "pkey.json"), jwt);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("verified: alg=ES256 typ=JWT"), r.err());
        assertEquals(ear, EarCodec.parse(r.out()));
    }

    @Test
    void nodeJoseRejectsOurJwtWithAnotherPayload() throws Exception {
        String jwt = EarSigner.create(EarSigningKey.readJwk(Vectors.file("ear", "skey.json"))).sign(sampleEar());
        String[] parts = jwt.split("\\.");
        String other = Base64.getUrlEncoder().withoutPadding().encodeToString(
                EarCodec.toJson(EarCodec.parse(Files.readAllBytes(Vectors.file("ear", "ear-claims.json")))));
        Result r = node("ear-verify.mjs", Vectors.file("ear", "pkey.json"), parts[0] + "." + other + "." + parts[2]);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void ourEs384AndEdDsaJwtsVerifyInNodeJose() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair p384 = ec.generateKeyPair();
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        for (KeyPair kp : List.of(p384, ed)) {
            EarSigningKey key = EarSigningKey.of(kp.getPrivate(), kp.getPublic(), Optional.of("k-" + kp.getPublic().getAlgorithm()));
            Path jwk = Files.writeString(tmp.resolve("pub-" + key.algorithm() + ".json"), key.verificationKey().toJwk());
            Ear ear = sampleEar();
            Result r = node("ear-verify.mjs", jwk, EarSigner.create(key).sign(ear));
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.err().contains("verified: alg=" + key.algorithm().joseName()), r.err());
            assertEquals(ear, EarCodec.parse(r.out()));
        }
    }

    @Test
    void ed25519JwtsAreByteIdenticalToNodeJose() throws Exception {
        // Ed25519 is deterministic and both sides write {"alg":"EdDSA","typ":"JWT"} and the same
        // compact JSON, so the two independent implementations must produce the same token.
        Path skey = Files.writeString(tmp.resolve("ed-skey.json"), EarVerifierTest.RFC8037_JWK);
        Ear ear = sampleEar();
        String ours = EarSigner.create(EarSigningKey.readJwk(skey)).sign(ear);
        Result r = node("ear-sign.mjs", skey, EarCodec.toJsonString(ear));
        assertEquals(0, r.exit(), r.err());
        assertEquals(ours, r.out());
    }

    @Test
    void nodeJoseSignedVectorsVerifyWithOurVerifier() throws Exception {
        EarVerifier verifier = EarVerifier.builder().key(EarVerificationKey.readJwk(Vectors.file("ear", "pkey.json"))).build();
        for (String f : List.of("ear-claims.json", "ear-claims-tv-ok.json", "ear-claims-extension-ok.json",
                "ear-claims-key-attestation-ok.json")) {
            String claims = Files.readString(Vectors.file("ear", f), StandardCharsets.UTF_8);
            Result r = node("ear-sign.mjs", Vectors.file("ear", "skey.json"), claims);
            assertEquals(0, r.exit(), r.err());
            assertEquals(EarCodec.parse(claims), verifier.verify(r.out()), f);
        }
    }

    @Test
    void nodeJoseSignedKoVectorIsRejectedAfterTheSignatureChecks() throws Exception {
        EarVerifier verifier = EarVerifier.builder().key(EarVerificationKey.readJwk(Vectors.file("ear", "pkey.json"))).build();
        String claims = Files.readString(Vectors.file("ear", "ear-claims-key-attestation-ko.json"), StandardCharsets.UTF_8);
        Result r = node("ear-sign.mjs", Vectors.file("ear", "skey.json"), claims);
        assertEquals(0, r.exit(), r.err());
        EarException e = assertThrows(EarException.class, () -> verifier.verify(r.out()));
        assertEquals(EarException.Reason.MISSING_CLAIM, e.reason());
    }

    @Test
    void tamperedNodeJoseJwtsAreRejected() throws Exception {
        EarVerifier verifier = EarVerifier.builder().key(EarVerificationKey.readJwk(Vectors.file("ear", "pkey.json"))).build();
        String claims = Files.readString(Vectors.file("ear", "ear-claims-tv-ok.json"), StandardCharsets.UTF_8);
        Result r = node("ear-sign.mjs", Vectors.file("ear", "skey.json"), claims);
        assertEquals(0, r.exit(), r.err());
        String[] parts = r.out().split("\\.");
        // The payload re-signed by nobody: affirming turned into the same text with one claim value changed.
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String forged = payload.replace("\"executables\":3", "\"executables\":2");
        assertNotEquals(payload, forged);
        String forgedJwt = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(forged.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertEquals(EarException.Reason.BAD_SIGNATURE,
                assertThrows(EarException.class, () -> verifier.verify(forgedJwt)).reason());
        byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
        sig[10] ^= 0x01;
        String badSig = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        assertEquals(EarException.Reason.BAD_SIGNATURE,
                assertThrows(EarException.class, () -> verifier.verify(badSig)).reason());
    }
}
