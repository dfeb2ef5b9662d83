package dev.attest.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Test helper: the COSE WG examples' JWK-like key objects as COSE_Key bytes. */
final class Jwk {
    private Jwk() {
    }

    /** A key parameter given either base64url ({@code x}) or hex ({@code x_hex}). */
    static byte[] param(JsonNode k, String name) {
        if (k.has(name + "_hex")) {
            return java.util.HexFormat.of().parseHex(k.get(name + "_hex").asText().toLowerCase());
        }
        return Base64.getUrlDecoder().decode(k.get(name).asText());
    }

    /** The key as a COSE_Key (with d when {@code withPrivate}), alg not set. */
    static byte[] toCoseKey(JsonNode k, boolean withPrivate) {
        Cbor.MapBuilder b = Cbor.map();
        switch (k.get("kty").asText()) {
            case "EC" -> {
                String crv = k.get("crv").asText();
                b.put(1, Cbor.of(2)).put(-1, Cbor.of(crv.equals("P-256") ? 1 : crv.equals("P-384") ? 2 : 3))
                        .put(-2, Cbor.of(param(k, "x"))).put(-3, Cbor.of(param(k, "y")));
            }
            case "OKP" -> b.put(1, Cbor.of(1)).put(-1, Cbor.of(k.get("crv").asText().equals("Ed25519") ? 6 : 7))
                    .put(-2, Cbor.of(param(k, "x")));
            case "RSA" -> b.put(1, Cbor.of(3)).put(-1, Cbor.of(param(k, "n"))).put(-2, Cbor.of(param(k, "e")));
            default -> throw new IllegalArgumentException(k.get("kty").asText());
        }
        if (withPrivate && (k.has("d") || k.has("d_hex"))) {
            b.put(-4, Cbor.of(param(k, "d")));
        }
        if (k.has("kid")) {
            b.put(2, Cbor.of(k.get("kid").asText().getBytes(StandardCharsets.UTF_8)));
        }
        return CborEncoder.encode(b.build());
    }
}
