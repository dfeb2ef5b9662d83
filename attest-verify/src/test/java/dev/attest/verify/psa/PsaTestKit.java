package dev.attest.verify.psa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.evidence.CoseSign1Message;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerificationKey;
import dev.attest.testkit.Vectors;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** PSA test material: a CBOR diagnostic-notation reader, Veraison's JSON claims as CBOR, keys, signing. */
final class PsaTestKit {
    static final ObjectMapper JSON = new ObjectMapper();

    private PsaTestKit() {
    }

    static byte[] read(String origin, String path) throws Exception {
        int slash = path.lastIndexOf('/');
        return Files.readAllBytes(Vectors.file(origin + "/" + path.substring(0, slash), path.substring(slash + 1)));
    }

    static Path file(String origin, String path) {
        int slash = path.lastIndexOf('/');
        return Vectors.file(origin + "/" + path.substring(0, slash), path.substring(slash + 1));
    }

    // ---- CBOR diagnostic notation (RFC 8949 §8): the subset the psatoken vectors use ----

    /** Parses maps, arrays, integers, h'hex' byte strings and "text" strings. */
    static Cbor diag(String s) {
        int[] at = {0};
        Cbor c = item(s, at);
        skipSpace(s, at);
        if (at[0] != s.length()) {
            throw new IllegalArgumentException("trailing text at " + at[0]);
        }
        return c;
    }

    private static void skipSpace(String s, int[] at) {
        while (at[0] < s.length()) {
            char c = s.charAt(at[0]);
            if (c == '/') {
                // A comment, "/ ... /" (RFC 8610 appendix G.6).
                at[0] = s.indexOf('/', at[0] + 1) + 1;
            } else if (Character.isWhitespace(c) || c == ',') {
                at[0]++;
            } else {
                return;
            }
        }
    }

    private static Cbor item(String s, int[] at) {
        skipSpace(s, at);
        char ch = s.charAt(at[0]);
        if (ch == '{') {
            at[0]++;
            Cbor.MapBuilder m = Cbor.map();
            while (true) {
                skipSpace(s, at);
                if (s.charAt(at[0]) == '}') {
                    at[0]++;
                    return m.build();
                }
                Cbor k = item(s, at);
                skipSpace(s, at);
                if (s.charAt(at[0]) != ':') {
                    throw new IllegalArgumentException("':' expected at " + at[0]);
                }
                at[0]++;
                m.put(k, item(s, at));
            }
        }
        if (ch == '[') {
            at[0]++;
            List<Cbor> items = new ArrayList<>();
            while (true) {
                skipSpace(s, at);
                if (s.charAt(at[0]) == ']') {
                    at[0]++;
                    return new Cbor.Array(items);
                }
                items.add(item(s, at));
            }
        }
        if (ch == 'h' && s.charAt(at[0] + 1) == '\'') {
            int end = s.indexOf('\'', at[0] + 2);
            String hex = s.substring(at[0] + 2, end).replaceAll("\\s", "");
            at[0] = end + 1;
            return Cbor.of(HexFormat.of().parseHex(hex));
        }
        if (ch == '"') {
            int end = s.indexOf('"', at[0] + 1);
            String text = s.substring(at[0] + 1, end);
            at[0] = end + 1;
            return new Cbor.Text(text);
        }
        int start = at[0];
        if (ch == '-') {
            at[0]++;
        }
        while (at[0] < s.length() && Character.isDigit(s.charAt(at[0]))) {
            at[0]++;
        }
        if (start == at[0]) {
            throw new IllegalArgumentException("unexpected '" + ch + "' at " + start);
        }
        return new Cbor.Int(Long.parseLong(s.substring(start, at[0])));
    }

    static byte[] diagFile(String origin, String path) throws Exception {
        return CborEncoder.encode(diag(new String(read(origin, path), StandardCharsets.UTF_8)));
    }

    // ---- Veraison's JSON claims (psatoken JSON names) as a profile 2 claims set ----

    static final Map<String, Long> P2_KEYS = Map.of("eat-profile", 265L, "psa-client-id", 2394L,
            "psa-security-lifecycle", 2395L, "psa-implementation-id", 2396L, "psa-boot-seed", 2397L,
            "psa-certification-reference", 2398L, "psa-software-components", 2399L,
            "psa-verification-service-indicator", 2400L, "psa-nonce", 10L, "psa-instance-id", 256L);
    static final Map<String, Long> COMPONENT_KEYS = Map.of("measurement-type", 1L, "measurement-value", 2L,
            "version", 4L, "signer-id", 5L, "measurement-description", 6L);
    private static final List<String> BYTES = List.of("psa-implementation-id", "psa-boot-seed", "psa-nonce",
            "psa-instance-id", "measurement-value", "signer-id");

    static byte[] p2Claims(JsonNode json) {
        return CborEncoder.encode(toCbor(json, P2_KEYS, null));
    }

    private static Cbor toCbor(JsonNode n, Map<String, Long> keys, String name) {
        if (n.isObject()) {
            Cbor.MapBuilder m = Cbor.map();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                Long k = keys.get(e.getKey());
                if (k == null) {
                    throw new IllegalArgumentException("unmapped claim " + e.getKey());
                }
                m.put(k, toCbor(e.getValue(), COMPONENT_KEYS, e.getKey()));
            }
            return m.build();
        }
        if (n.isArray()) {
            List<Cbor> items = new ArrayList<>();
            for (JsonNode x : n) {
                items.add(toCbor(x, COMPONENT_KEYS, name));
            }
            return new Cbor.Array(items);
        }
        if (n.isIntegralNumber()) {
            return new Cbor.Int(n.asLong());
        }
        if (BYTES.contains(name)) {
            return Cbor.of(Base64.getMimeDecoder().decode(n.asText()));
        }
        return new Cbor.Text(n.asText());
    }

    // ---- keys ----

    /** An EC P-256 signing key from a JWK with {@code d}. */
    static SigningKey jwkSigningKey(Path jwk) throws Exception {
        JsonNode j = JSON.readTree(jwk.toFile());
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        var params = ((ECPublicKey) g.generateKeyPair().getPublic()).getParams();
        Base64.Decoder b64 = Base64.getUrlDecoder();
        KeyFactory kf = KeyFactory.getInstance("EC");
        var priv = kf.generatePrivate(new ECPrivateKeySpec(new BigInteger(1, b64.decode(j.get("d").asText())), params));
        var pub = kf.generatePublic(new ECPublicKeySpec(new ECPoint(new BigInteger(1, b64.decode(j.get("x").asText())),
                new BigInteger(1, b64.decode(j.get("y").asText()))), params));
        return SigningKey.of(new KeyPair(pub, priv), SignatureAlgorithm.ES256, Optional.empty());
    }

    static VerificationKey pemKey(String pem, SignatureAlgorithm alg) throws Exception {
        return VerificationKey.of(Pem.publicKey(pem), alg, Optional.empty());
    }

    static byte[] sign(SigningKey key, byte[] claims) throws Exception {
        return CoseSign1Message.sign(key, claims);
    }

    /** The claims of a token, unverified (to learn a vector's instance id). */
    static PsaClaims unverified(byte[] token) throws Exception {
        return PsaClaims.decode(CoseSign1Message.parse(token, 1 << 16, 8).payload());
    }
}
