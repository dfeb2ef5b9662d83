package dev.attest.verify.corim;

import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.VerificationKey;
import dev.attest.testkit.Vectors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/** The CoRIM vectors of the repository and the key Veraison signed its signed CoRIMs with. */
final class CorimVectors {
    static final String CORIM = "veraison-corim";
    static final String SERVICES = "veraison-services-corim";
    /** Within the signed test CoRIMs' validity (2021-12-31 .. 2025-12-31). */
    static final Clock IN_VALIDITY = Clock.fixed(Instant.parse("2024-06-01T00:00:00Z"), ZoneOffset.UTC);

    private CorimVectors() {
    }

    static byte[] read(String origin, String name) {
        try {
            return Files.readAllBytes(Vectors.file(origin, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path dir(String origin, String sub) {
        return Vectors.dir(origin).resolve(sub);
    }

    /**
     * The public part of {@code corim/testcases/src/ec-p256.jwk}, as an ES256 key (read from its
     * x and y: the JWK says {@code "use": "enc"}, which the SDK's JWK reader rightly refuses for
     * a signature key).
     */
    static VerificationKey veraisonSigner() {
        try {
            String jwk = Files.readString(Vectors.file(CORIM, "corim/testcases/src/ec-p256.jwk"));
            java.util.regex.Matcher x = java.util.regex.Pattern.compile("\"x\": \"([^\"]+)\"").matcher(jwk);
            java.util.regex.Matcher y = java.util.regex.Pattern.compile("\"y\": \"([^\"]+)\"").matcher(jwk);
            if (!x.find() || !y.find()) {
                throw new AssertionError("no x, y in the JWK");
            }
            java.util.Base64.Decoder b64 = java.util.Base64.getUrlDecoder();
            java.security.AlgorithmParameters p = java.security.AlgorithmParameters.getInstance("EC");
            p.init(new java.security.spec.ECGenParameterSpec("secp256r1"));
            java.security.spec.ECParameterSpec spec = p.getParameterSpec(java.security.spec.ECParameterSpec.class);
            java.security.spec.ECPoint w = new java.security.spec.ECPoint(new java.math.BigInteger(1, b64.decode(x.group(1))),
                    new java.math.BigInteger(1, b64.decode(y.group(1))));
            java.security.PublicKey k = java.security.KeyFactory.getInstance("EC")
                    .generatePublic(new java.security.spec.ECPublicKeySpec(w, spec));
            return VerificationKey.of(k, SignatureAlgorithm.ES256, Optional.empty());
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static CorimDecoder unsignedDecoder() {
        return CorimDecoder.builder().allowUnsigned().build();
    }

    static CorimDecoder signedDecoder(Clock clock) {
        return CorimDecoder.builder().signer(veraisonSigner()).clock(clock).build();
    }
}
