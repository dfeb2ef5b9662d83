package dev.attest.bench.verify;

import dev.attest.bench.Fixtures;
import dev.attest.verify.ear.Ear;
import dev.attest.verify.ear.EarAppraisal;
import dev.attest.verify.ear.EarSigner;
import dev.attest.verify.ear.EarSigningKey;
import dev.attest.verify.ear.EarVerificationKey;
import dev.attest.verify.ear.EarVerifier;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import dev.attest.verify.ear.TrustVector;
import dev.attest.verify.ear.VerifierId;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Signing and verifying an EAR JWT (ES256) with Veraison's key pair from the shared vectors
 * ({@code ear/skey.json}, {@code ear/pkey.json}), read as a relying party would: the JWK becomes
 * a JDK key. {@code earSign} / {@code earVerify} are {@link EarSigner#sign} and
 * {@link EarVerifier#verify} (JSON, JWS, signature; the verifier also parses the EAR back).
 * Baselines: the bare ES256 signature and verification of the same signing input by Bouncy
 * Castle with its own key objects kept across calls (the limit). {@code jdkSign} /
 * {@code jdkVerify}: the same by the JDK's SunEC with the JDK keys, which is what the EAR code
 * used by default before it used the SDK's Bouncy Castle instance.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 2)
@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 2)
public class EarBenchmark {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private Ear ear;
    private EarSigner signer;
    private EarVerifier verifier;
    private String jwt;
    private byte[] signingInput;
    private byte[] signature;
    private PrivateKey jdkPrivate;
    private PublicKey jdkPublic;
    private PrivateKey bcPrivate;
    private PublicKey bcPublic;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        EarSigningKey key = EarSigningKey.readJwk(Fixtures.vectors().resolve("ear/skey.json"));
        EarVerificationKey pub = EarVerificationKey.readJwk(Fixtures.vectors().resolve("ear/pkey.json"));
        Instant iat = Instant.parse("2026-11-26T00:00:00Z");
        ear = Ear.builder(new VerifierId("https://verifier.example", "attest"), iat)
                .nonce("MTIzNDU2Nzg5MGFiY2RlZg")
                .submod("device-0042", EarAppraisal.of(TrustTier.AFFIRMING, TrustVector.EMPTY
                        .with(TrustClaim.INSTANCE_IDENTITY, TrustClaim.TRUSTWORTHY_INSTANCE)
                        .with(TrustClaim.EXECUTABLES, TrustClaim.APPROVED_RUNTIME), "fleet-policy/3"))
                .build();
        signer = EarSigner.create(key);
        verifier = EarVerifier.builder().key(pub).clock(Clock.fixed(iat, ZoneOffset.UTC)).build();
        jwt = signer.sign(ear);
        signingInput = jwt.substring(0, jwt.lastIndexOf('.')).getBytes(StandardCharsets.US_ASCII);
        signature = Base64.getUrlDecoder().decode(jwt.substring(jwt.lastIndexOf('.') + 1));
        jdkPublic = pub.publicKey();
        jdkPrivate = jdkPrivateKey(Fixtures.vectors().resolve("ear/skey.json"));
        bcPublic = KeyFactory.getInstance("EC", BC).generatePublic(new X509EncodedKeySpec(jdkPublic.getEncoded()));
        bcPrivate = KeyFactory.getInstance("EC", BC).generatePrivate(new PKCS8EncodedKeySpec(jdkPrivate.getEncoded()));
        if (!verifier.verify(jwt).equals(ear) || !baselineVerify() || !jdkVerify()
                || jdkSign().length != 64 || baselineSign().length != 64) {
            throw new IllegalStateException("fixture does not sign or verify");
        }
    }

    /** The JWK's private key as the JDK decodes it: {@code d} on P-256 (RFC 7518 §6.2.2.1). */
    private static PrivateKey jdkPrivateKey(java.nio.file.Path jwk) throws Exception {
        String d = new com.fasterxml.jackson.databind.ObjectMapper().readTree(jwk.toFile()).get("d").asText();
        java.security.AlgorithmParameters p = java.security.AlgorithmParameters.getInstance("EC");
        p.init(new java.security.spec.ECGenParameterSpec("secp256r1"));
        return KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.ECPrivateKeySpec(
                new java.math.BigInteger(1, Base64.getUrlDecoder().decode(d)),
                p.getParameterSpec(java.security.spec.ECParameterSpec.class)));
    }

    @Benchmark
    public String earSign() throws Exception {
        return signer.sign(ear);
    }

    @Benchmark
    public Ear earVerify() throws Exception {
        return verifier.verify(jwt);
    }

    @Benchmark
    public byte[] jdkSign() throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(jdkPrivate);
        s.update(signingInput);
        return s.sign();
    }

    @Benchmark
    public boolean jdkVerify() throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initVerify(jdkPublic);
        s.update(signingInput);
        return s.verify(signature);
    }

    @Benchmark
    public byte[] baselineSign() throws Exception {
        Signature s = Signature.getInstance("SHA256withPLAIN-ECDSA", BC);
        s.initSign(bcPrivate);
        s.update(signingInput);
        return s.sign();
    }

    @Benchmark
    public boolean baselineVerify() throws Exception {
        Signature s = Signature.getInstance("SHA256withPLAIN-ECDSA", BC);
        s.initVerify(bcPublic);
        s.update(signingInput);
        return s.verify(signature);
    }
}
