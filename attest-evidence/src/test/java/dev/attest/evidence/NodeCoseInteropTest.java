package dev.attest.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.attest.testkit.NodePeer;
import dev.attest.testkit.NodePeer.Result;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * COSE_Sign1 evidence against a second, independent COSE implementation: the npm {@code cose-js}
 * package (its own CBOR library; ECDSA through {@code elliptic}, PSS through {@code node-rsa}),
 * run by {@code interop/node/cose-verify.mjs} and {@code cose-sign.mjs}. Tokens attest signs
 * verify there with the same payload; tokens cose-js signs over attest's claims verify and decode
 * here; tampered tokens fail on both sides. cose-js does not implement EdDSA, so Ed25519 is
 * covered by the COSE WG vectors ({@link CoseWgInteropTest}) only.
 */
class NodeCoseInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static NodePeer peer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findNode() {
        peer = NodePeer.require("cose-js");
    }

    private Result node(String script, Path key, byte[] input) throws Exception {
        return peer.run(tmp, script, input, key.toString());
    }

    private static String b64u(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** An unsigned big-endian integer in exactly {@code len} bytes (JWK EC coordinates), or minimal when 0. */
    private static String b64u(BigInteger v, int len) {
        byte[] raw = v.toByteArray();
        if (raw.length > 1 && raw[0] == 0) {
            raw = Arrays.copyOfRange(raw, 1, raw.length);
        }
        if (len > raw.length) {
            byte[] padded = new byte[len];
            System.arraycopy(raw, 0, padded, len - raw.length, raw.length);
            raw = padded;
        }
        return b64u(raw);
    }

    /** The key as a JWK (RFC 7518 §6), with the private parameters when {@code priv} is given. */
    private Path jwk(SigningKey key, boolean withPrivate) throws IOException {
        PublicKey pub = key.verificationKey().orElseThrow().publicKey();
        PrivateKey priv = key.privateKey();
        ObjectNode j = JSON.createObjectNode();
        if (pub instanceof ECPublicKey ec) {
            int len = key.algorithm().coordinateLength();
            j.put("kty", "EC").put("crv", switch (key.algorithm()) {
                case ES256 -> "P-256";
                case ES384 -> "P-384";
                case ES512 -> "P-521";
                default -> throw new IllegalArgumentException(key.algorithm().toString());
            });
            j.put("x", b64u(ec.getW().getAffineX(), len)).put("y", b64u(ec.getW().getAffineY(), len));
            if (withPrivate) {
                j.put("d", b64u(((ECPrivateKey) priv).getS(), len));
            }
        } else {
            RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) priv;
            j.put("kty", "RSA").put("n", b64u(rsa.getModulus(), 0)).put("e", b64u(rsa.getPublicExponent(), 0));
            if (withPrivate) {
                j.put("d", b64u(rsa.getPrivateExponent(), 0)).put("p", b64u(rsa.getPrimeP(), 0))
                        .put("q", b64u(rsa.getPrimeQ(), 0)).put("dp", b64u(rsa.getPrimeExponentP(), 0))
                        .put("dq", b64u(rsa.getPrimeExponentQ(), 0)).put("qi", b64u(rsa.getCrtCoefficient(), 0));
            }
        }
        key.keyId().ifPresent(k -> j.put("kid", new String(k.value(), StandardCharsets.UTF_8)));
        return Files.writeString(tmp.resolve((withPrivate ? "priv-" : "pub-") + key.algorithm() + ".jwk"),
                JSON.writeValueAsString(j));
    }

    private Path coseKey(SigningKey key) throws IOException {
        return Files.write(tmp.resolve("pub-" + key.algorithm() + ".cose"),
                CoseKey.encode(key.verificationKey().orElseThrow()));
    }

    private static EvidenceDecoder decoder(SigningKey key) {
        return EvidenceDecoder.builder(KeyResolver.byKeyId(List.of(key.verificationKey().orElseThrow()))).build();
    }

    /** The offset of the first occurrence of {@code needle} in {@code hay}. */
    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"ES256", "ES384", "ES512", "PS256"})
    void attestCwtsVerifyInCoseJsWithTheSamePayload(SignatureAlgorithm alg) throws Exception {
        SigningKey key = SigningKey.generate(alg, Optional.of(KeyId.of("node-interop")));
        EatClaims claims = Samples.claims(50);
        byte[] token = EvidenceEncoder.of(key).encode(claims);
        assertEquals(0xd8, token[0] & 0xff, "CWT tag 61 in front");
        for (Path k : List.of(coseKey(key), jwk(key, false))) {
            Result r = node("cose-verify.mjs", k, token);
            assertEquals(0, r.exit(), r.err());
            assertEquals("verified: alg=" + alg, r.err().trim());
            assertEquals(HexFormat.of().formatHex(EvidenceEncoder.payload(claims)), r.out());
        }
    }

    @Test
    void bareCoseSign1VerifiesInCoseJs() throws Exception {
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        EatClaims claims = Samples.claims(3);
        byte[] token = EvidenceEncoder.of(key).withoutCwtTag().encode(claims);
        assertEquals(0xd2, token[0] & 0xff);
        Result r = node("cose-verify.mjs", coseKey(key), token);
        assertEquals(0, r.exit(), r.err());
        assertEquals(HexFormat.of().formatHex(EvidenceEncoder.payload(claims)), r.out());
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"ES256", "ES384", "ES512", "PS256"})
    void coseJsTokensOverOurClaimsVerifyAndDecodeWithAttest(SignatureAlgorithm alg) throws Exception {
        SigningKey key = SigningKey.generate(alg, Optional.of(KeyId.of("node-interop")));
        EatClaims claims = Samples.claims(50);
        Result r = node("cose-sign.mjs", jwk(key, true), EvidenceEncoder.payload(claims));
        assertEquals(0, r.exit(), r.err());
        byte[] token = HexFormat.of().parseHex(r.out());
        assertEquals(0xd2, token[0] & 0xff, "cose-js writes a tagged COSE_Sign1");
        VerifiedEvidence v = decoder(key).decode(token);
        assertArrayEquals(EvidenceEncoder.payload(claims), EvidenceEncoder.payload(v.claims()));
        assertArrayEquals(Samples.NONCE, v.claims().nonces().get(0));
        assertEquals(50, v.claims().allMeasurements().size());
        assertEquals(alg, v.key().algorithm());
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"ES256", "PS256"})
    void tamperedAttestTokensFailInCoseJs(SignatureAlgorithm alg) throws Exception {
        SigningKey key = SigningKey.generate(alg, Optional.of(KeyId.of("node-interop")));
        byte[] token = EvidenceEncoder.of(key).encode(Samples.claims(50));
        Path pub = coseKey(key);
        // One bit of the nonce: still well-formed CBOR, so only the signature can catch it.
        byte[] payloadChanged = token.clone();
        payloadChanged[indexOf(token, Samples.NONCE)] ^= 0x01;
        byte[] sigChanged = token.clone();
        sigChanged[token.length - 5] ^= 0x01;
        for (byte[] bad : List.of(payloadChanged, sigChanged)) {
            Result r = node("cose-verify.mjs", pub, bad);
            assertEquals(1, r.exit(), r.err());
            assertEquals("verification failed: Signature missmatch", r.err().trim());
            assertEquals("", r.out());
            assertEquals(EvidenceException.Reason.BAD_SIGNATURE,
                    assertThrows(EvidenceException.class, () -> decoder(key).decode(bad)).reason());
        }
        // Another key of the same algorithm: refused too.
        SigningKey other = SigningKey.generate(alg, Optional.of(KeyId.of("node-interop")));
        Result r = node("cose-verify.mjs", coseKey(other), token);
        assertEquals(1, r.exit(), r.err());
        assertEquals("verification failed: Signature missmatch", r.err().trim());
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"ES256", "PS256"})
    void tamperedCoseJsTokensFailInAttestAndCoseJs(SignatureAlgorithm alg) throws Exception {
        SigningKey key = SigningKey.generate(alg, Optional.of(KeyId.of("node-interop")));
        Result signed = node("cose-sign.mjs", jwk(key, true), EvidenceEncoder.payload(Samples.claims(50)));
        assertEquals(0, signed.exit(), signed.err());
        byte[] token = HexFormat.of().parseHex(signed.out());
        byte[] payloadChanged = token.clone();
        payloadChanged[indexOf(token, Samples.NONCE) + 3] ^= 0x40;
        byte[] sigChanged = token.clone();
        sigChanged[token.length - 1] ^= 0x01;
        Path pub = jwk(key, false);
        for (byte[] bad : List.of(payloadChanged, sigChanged)) {
            assertEquals(EvidenceException.Reason.BAD_SIGNATURE,
                    assertThrows(EvidenceException.class, () -> decoder(key).decode(bad)).reason());
            Result r = node("cose-verify.mjs", pub, bad);
            assertEquals(1, r.exit(), r.err());
            assertEquals("verification failed: Signature missmatch", r.err().trim());
        }
        Result ok = node("cose-verify.mjs", pub, token);
        assertEquals(0, ok.exit(), ok.err());
    }
}
