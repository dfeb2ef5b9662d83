package dev.attest.bench.evidence;

import dev.attest.bench.Fixtures;
import dev.attest.bench.RawSignature;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerificationKey;
import dev.attest.evidence.VerifiedEvidence;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * The 50-measurement ES256 evidence of {@link EvidenceBenchmark}, verified with the device's key
 * as the JDK gives it ({@code KeyFactory.getInstance("EC")}, as a {@code KeyStore}, a PEM read
 * with the JDK or a certificate parsed by the JDK would): {@link EvidenceDecoder#decode} through
 * a {@link VerificationKey} made from that key, next to the verification a JCA caller gets with
 * that key ({@code jdkKeyVerifyPrehashed}: Bouncy Castle over a JDK SHA-256 digest, which is what
 * attest did with such a key before it converted keys once) and the limit with the provider's
 * own key ({@code baselineVerifyPrehashed}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 2)
public class JdkKeyBenchmark {
    private static final SignatureAlgorithm ALG = SignatureAlgorithm.ES256;

    private EvidenceDecoder decoder;
    private byte[] token;
    private byte[] toBeSigned;
    private byte[] rawSignature;
    private PublicKey jdkKey;
    private PublicKey providerKey;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Fixtures.Device device = new Fixtures.Device("device-0042", ALG);
        SigningKey key = device.key();
        providerKey = key.verificationKey().orElseThrow().publicKey();
        jdkKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(providerKey.getEncoded()));
        if (jdkKey.getClass().getName().startsWith("org.bouncycastle.")) {
            throw new IllegalStateException("not a JDK key: " + jdkKey.getClass());
        }
        Fixtures.Capturing capturing = new Fixtures.Capturing(key);
        token = EvidenceEncoder.of(capturing).encode(device.nextClaims(Optional.of(Fixtures.NONCE)));
        toBeSigned = capturing.toBeSigned();
        VerificationKey vk = VerificationKey.of(jdkKey, ALG, key.keyId());
        decoder = EvidenceDecoder.builder(KeyResolver.byKeyId(List.of(vk))).build();
        rawSignature = RawSignature.sign(ALG, key.privateKey(), toBeSigned);
        if (decoder.decode(token).claims().allMeasurements().size() != Fixtures.MEASUREMENTS
                || !jdkKeyVerifyPrehashed() || !baselineVerifyPrehashed()) {
            throw new IllegalStateException("fixture does not verify");
        }
    }

    /** attest's decode and verification with a {@link VerificationKey} made from the JDK's key. */
    @Benchmark
    public VerifiedEvidence decodeVerify() throws Exception {
        return decoder.decode(token);
    }

    /** The same signature check as attest's, handed the JDK's key on every call. */
    @Benchmark
    public boolean jdkKeyVerifyPrehashed() throws Exception {
        return RawSignature.verifyPrehashed(ALG, jdkKey, toBeSigned, rawSignature);
    }

    /** The limit: the same check with the provider's own key object, kept across calls. */
    @Benchmark
    public boolean baselineVerifyPrehashed() throws Exception {
        return RawSignature.verifyPrehashed(ALG, providerKey, toBeSigned, rawSignature);
    }
}
