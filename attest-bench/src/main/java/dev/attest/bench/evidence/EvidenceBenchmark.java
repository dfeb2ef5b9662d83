package dev.attest.bench.evidence;

import dev.attest.bench.Fixtures;
import dev.attest.bench.RawSignature;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerificationKey;
import dev.attest.evidence.VerifiedEvidence;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A 50-measurement evidence: {@link EvidenceEncoder#encode} (claims to CBOR, COSE_Sign1, sign) and
 * {@link EvidenceDecoder#decode} (bounds, CBOR, headers, key, verify, claims) per algorithm,
 * against the raw JCA signature (same Bouncy Castle provider, same key) over the very
 * Sig_structure bytes the token signs, in the same run. {@code decodeVerify / baselineVerify}
 * is the share of the verify cost that is the signature (issue target >= 0.9 for ES256).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 3)
@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 2)
public class EvidenceBenchmark {
    @Param({"ES256", "ES384", "EDDSA", "PS256"})
    public SignatureAlgorithm alg;

    private EvidenceEncoder encoder;
    private EvidenceDecoder decoder;
    private EatClaims claims;
    private byte[] token;
    private byte[] toBeSigned;
    private byte[] rawSignature;
    private PrivateKey privateKey;
    private PublicKey publicKey;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Fixtures.Device device = new Fixtures.Device("device-0042", alg);
        SigningKey key = device.key();
        VerificationKey vk = key.verificationKey().orElseThrow();
        claims = device.nextClaims(Optional.of(Fixtures.NONCE));
        Fixtures.Capturing capturing = new Fixtures.Capturing(key);
        token = EvidenceEncoder.of(capturing).encode(claims);
        toBeSigned = capturing.toBeSigned();
        encoder = EvidenceEncoder.of(key);
        decoder = EvidenceDecoder.builder(KeyResolver.byKeyId(List.of(vk))).build();
        privateKey = key.privateKey();
        publicKey = vk.publicKey();
        rawSignature = RawSignature.sign(alg, privateKey, toBeSigned);
        // Both paths must do the real work on valid input, or the figures mean nothing.
        if (decoder.decode(token).claims().allMeasurements().size() != Fixtures.MEASUREMENTS
                || !RawSignature.verify(alg, publicKey, toBeSigned, rawSignature)
                || !baselineVerifyPrehashed()) {
            throw new IllegalStateException("fixture does not verify");
        }
        if (alg == SignatureAlgorithm.ES256) {
            TokenSizes.print(claims, key, token);
        }
    }

    @Benchmark
    public byte[] encodeSign() throws Exception {
        return encoder.encode(claims);
    }

    @Benchmark
    public VerifiedEvidence decodeVerify() throws Exception {
        return decoder.decode(token);
    }

    /** The signing limit: JCA sign of the same Sig_structure with the same key and provider. */
    @Benchmark
    public byte[] baselineSign() throws Exception {
        return RawSignature.sign(alg, privateKey, toBeSigned);
    }

    /** The verification limit: JCA verify of the same Sig_structure with the same key and provider. */
    @Benchmark
    public boolean baselineVerify() throws Exception {
        return RawSignature.verify(alg, publicKey, toBeSigned, rawSignature);
    }

    /**
     * The fastest verification limit: for ECDSA, the message hashed by the JDK's SHA-2 and the
     * digest verified by Bouncy Castle ({@link RawSignature#verifyPrehashed}), as attest does;
     * for the other algorithms the same as {@link #baselineVerify}.
     */
    @Benchmark
    public boolean baselineVerifyPrehashed() throws Exception {
        return alg.isEcdsa() ? RawSignature.verifyPrehashed(alg, publicKey, toBeSigned, rawSignature)
                : RawSignature.verify(alg, publicKey, toBeSigned, rawSignature);
    }
}
