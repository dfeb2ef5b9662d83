package dev.attest.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.evidence.EvidenceException.Reason;
import dev.attest.testkit.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The COSE WG examples (github.com/cose-wg/Examples, in the repository's vectors/cose-wg): every
 * COSE_Sign1 "pass" example verifies with its key, our Sig_structure equals the example's
 * ToBeSign bytes, our own signature over the same input verifies with the example's public key,
 * and every "fail" example is refused with the reason that fits what was broken.
 */
class CoseWgInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    record Example(String name, JsonNode json) {
        @Override
        public String toString() {
            return name;
        }

        JsonNode sign0() {
            return json.get("input").get("sign0");
        }

        byte[] output() {
            return HEX.parseHex(json.get("output").get("cbor").asText().toLowerCase());
        }

        byte[] plaintext() {
            JsonNode in = json.get("input");
            return in.has("plaintext_hex") ? HEX.parseHex(in.get("plaintext_hex").asText().toLowerCase())
                    : in.get("plaintext").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        byte[] external() {
            return sign0().has("external") ? HEX.parseHex(sign0().get("external").asText()) : new byte[0];
        }

        boolean failure() {
            return name.contains("-fail-");
        }
    }

    static Stream<Example> sign1Examples() throws Exception {
        Path root = Vectors.dir("cose-wg");
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        return files.stream().map(p -> {
            try {
                return new Example(root.relativize(p).toString(), JSON.readTree(p.toFile()));
            } catch (Exception e) {
                throw new AssertionError(p + ": " + e);
            }
        }).filter(e -> e.json().get("input").has("sign0"));
    }

    /** The four items of a COSE_Sign1, read without the evidence profile's header rules. */
    private static Cbor.Array rawSign1(byte[] token) throws Exception {
        Cbor c = CborDecoder.lenient(1 << 16, 16, 1 << 16).decode(token);
        if (c instanceof Cbor.Tag t) {
            c = t.content();
        }
        return (Cbor.Array) c;
    }

    /**
     * The protected bytes as the Sig_structure uses them: RFC 9052 §4.4 signs a zero-length
     * string when there are no protected attributes, even if the wire carries an empty map (a0).
     */
    private static byte[] bodyProtected(Cbor.Array a) {
        byte[] p = ((Cbor.Bytes) a.get(0)).value();
        return p.length == 1 && p[0] == (byte) 0xa0 ? new byte[0] : p;
    }

    private static boolean verifiesRaw(VerificationKey key, byte[] token, byte[] external) throws Exception {
        Cbor.Array a = rawSign1(token);
        byte[] tbs = CoseSign1.toBeSigned(bodyProtected(a), external, ((Cbor.Bytes) a.get(2)).value());
        return key.verify(tbs, ((Cbor.Bytes) a.get(3)).value());
    }

    @ParameterizedTest
    @MethodSource("sign1Examples")
    void passExamplesVerifyAndFailExamplesAreRefused(Example ex) throws Exception {
        JsonNode s = ex.sign0();
        String crv = s.get("key").path("crv").asText();
        if (crv.equals("Ed448")) {
            // Ed448 is not on the allow-list: the key itself is refused.
            EvidenceException e = assertThrows(EvidenceException.class,
                    () -> CoseKey.verificationKey(Jwk.toCoseKey(s.get("key"), false)));
            assertEquals(Reason.BAD_KEY, e.reason());
            return;
        }
        VerificationKey key = CoseKey.verificationKey(Jwk.toCoseKey(s.get("key"), false));
        SignatureAlgorithm alg = SignatureAlgorithm.valueOf(s.get("alg").asText().toUpperCase());
        if (key.algorithm() != alg) {
            // ecdsa-sig-04 signs ES512 with a P-256 key; this SDK binds ES512 to P-521.
            assertEquals("ecdsa-examples/ecdsa-sig-04.json", ex.name());
            CoseSign1 parsed = CoseSign1.parse(ex.output(), 1 << 16, 16);
            assertEquals(SignatureAlgorithm.ES512, parsed.algorithm);
            assertThrows(IllegalArgumentException.class, () -> VerificationKey.of(key.publicKey(), alg, key.keyId()));
            return;
        }
        if (!ex.failure()) {
            assertTrue(verifiesRaw(key, ex.output(), ex.external()), "expected output verifies");
            Cbor.Array a = rawSign1(ex.output());
            assertArrayEquals(HEX.parseHex(ex.json().get("intermediates").get("ToBeSign_hex").asText().toLowerCase()),
                    CoseSign1.toBeSigned(bodyProtected(a), ex.external(), ex.plaintext()),
                    "Sig_structure byte for byte");
            // Our own signature over the same input verifies with the example's public key.
            SigningKey signer = CoseKey.signingKey(Jwk.toCoseKey(s.get("key"), true));
            byte[] tbs = CoseSign1.toBeSigned(bodyProtected(a), ex.external(), ex.plaintext());
            assertTrue(key.verify(tbs, signer.sign(tbs)));
            if (s.path("unprotected").has("alg")) {
                EvidenceException e = assertThrows(EvidenceException.class, () -> CoseSign1.parse(ex.output(), 1 << 16, 16));
                assertEquals(Reason.ALG_UNPROTECTED, e.reason(), "valid COSE, refused by the strict evidence profile");
            } else {
                CoseSign1 parsed = CoseSign1.parse(ex.output(), 1 << 16, 16);
                assertEquals(alg, parsed.algorithm);
                assertArrayEquals(ex.plaintext(), parsed.payload);
            }
            return;
        }
        JsonNode f = ex.json().get("input").get("failures");
        Reason expected;
        if (f.has("ChangeCBORTag")) {
            expected = Reason.NOT_COSE_SIGN1;
        } else if (f.has("ChangeAttr")) {
            expected = Reason.ALG_NOT_ALLOWED;
        } else {
            expected = Reason.BAD_SIGNATURE;
        }
        EvidenceException e = assertThrows(EvidenceException.class, () -> {
            CoseSign1 parsed = CoseSign1.parse(ex.output(), 1 << 16, 16);
            if (!key.verify(CoseSign1.toBeSigned(parsed.protectedBytes, ex.external(), parsed.payload), parsed.signature)) {
                throw new EvidenceException(Reason.BAD_SIGNATURE, "does not verify");
            }
        });
        assertEquals(expected, e.reason(), ex.name());
        if (expected == Reason.BAD_SIGNATURE) {
            assertFalse(verifiesRaw(key, ex.output(), ex.external()));
        }
    }

    @Test
    void rfc8392SignedCwtDecodesWithItsClaims() throws Exception {
        JsonNode a3 = JSON.readTree(Vectors.dir("cose-wg").resolve("CWT/A_3.json").toFile());
        VerificationKey key = CoseKey.verificationKey(Jwk.toCoseKey(a3.get("input").get("sign0").get("key"), false));
        byte[] token = HEX.parseHex(a3.get("output").get("cbor").asText().toLowerCase());
        VerifiedEvidence v = EvidenceDecoder.builder(KeyResolver.single(key)).build().decode(token);
        EatClaims c = v.claims();
        assertEquals("coap://as.example.com", c.iss().orElseThrow());
        assertEquals("erikw", c.sub().orElseThrow());
        assertEquals(Instant.ofEpochSecond(1444064944), c.exp().orElseThrow());
        assertEquals(Instant.ofEpochSecond(1443944944), c.nbf().orElseThrow());
        assertEquals(Instant.ofEpochSecond(1443944944), c.iat().orElseThrow());
        assertArrayEquals(HEX.parseHex("0b71"), c.cti().orElseThrow());
        assertEquals("\"coap://light.example.com\"", c.unknownClaims().get("3"), "aud is kept, not dropped");
    }
}
