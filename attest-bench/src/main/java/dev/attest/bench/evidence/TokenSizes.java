package dev.attest.bench.evidence;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.bench.Fixtures;
import dev.attest.evidence.ClaimsText;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Token size of a 50-measurement evidence: attest's CWT (COSE_Sign1, ES256) against the same
 * claims as an ES256 JWT (JWS compact serialization, RFC 7515 §7.1): base64url of the protected
 * header {"alg":"ES256","kid":...}, of the compact EAT JSON ({@link ClaimsText#json}), and of the
 * 64-byte signature (a real one, over the JWS signing input). Issue target: CWT / JWT <= 0.6.
 * Run: {@code java -cp attest-bench/target/benchmarks.jar dev.attest.bench.evidence.TokenSizes}.
 */
public final class TokenSizes {
    private TokenSizes() {
    }

    public static void main(String[] args) throws Exception {
        Fixtures.Device device = new Fixtures.Device("device-0042", SignatureAlgorithm.ES256);
        EatClaims claims = device.nextClaims(Optional.of(Fixtures.NONCE));
        print(claims, device.key(), EvidenceEncoder.of(device.key()).encode(claims));
    }

    static void print(EatClaims claims, SigningKey key, byte[] cwt) throws Exception {
        ObjectMapper json = new ObjectMapper();
        // Compact JSON whatever ClaimsText's layout: the JWT should not pay for whitespace.
        String payload = json.writeValueAsString(json.readTree(ClaimsText.json(claims)));
        String kid = new String(key.keyId().orElseThrow().value(), StandardCharsets.UTF_8);
        String header = json.writeValueAsString(json.createObjectNode().put("alg", "ES256").put("kid", kid));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        String jwt = signingInput + "." + b64.encodeToString(key.sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
        int cbor = EvidenceEncoder.payload(claims).length;
        System.out.printf("%nToken size, %d-measurement evidence, ES256:%n", claims.allMeasurements().size());
        System.out.printf("  CWT (COSE_Sign1, tag 61)   %6d bytes (claims CBOR %d)%n", cwt.length, cbor);
        System.out.printf("  JWT (JWS compact)          %6d bytes (claims JSON %d)%n", jwt.length(),
                payload.getBytes(StandardCharsets.UTF_8).length);
        System.out.printf("  ratio CWT / JWT            %6.3f (target <= 0.6)%n", (double) cwt.length / jwt.length());
        System.out.printf("  ratio CBOR / JSON claims   %6.3f%n%n", (double) cbor / payload.getBytes(StandardCharsets.UTF_8).length);
    }
}
