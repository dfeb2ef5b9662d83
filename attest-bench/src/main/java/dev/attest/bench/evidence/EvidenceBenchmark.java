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
 * is the share of the verify cost that is the signature (issue target >= 0.9 for ES256). Each call
 * takes the next of {@value #CYCLES} consecutive cycles of one device (their measurements differ in
 * their times), as a verifier receives them.
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

    /** How many consecutive cycles of the device the methods go through, one per call. */
    static final int CYCLES = 64;

    private EvidenceEncoder encoder;
    private EvidenceDecoder decoder;
    private EvidenceDecoder uncachedDecoder;
    private final EatClaims[] claims = new EatClaims[CYCLES];
    private final byte[][] tokens = new byte[CYCLES][];
    private final byte[][] toBeSigned = new byte[CYCLES][];
    private final byte[][] rawSignatures = new byte[CYCLES][];
    private PrivateKey privateKey;
    private PublicKey publicKey;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Fixtures.Device device = new Fixtures.Device("device-0042", alg);
        SigningKey key = device.key();
        VerificationKey vk = key.verificationKey().orElseThrow();
        privateKey = key.privateKey();
        publicKey = vk.publicKey();
        for (int i = 0; i < CYCLES; i++) {
            claims[i] = device.nextClaims(Optional.of(Fixtures.NONCE));
            Fixtures.Capturing capturing = new Fixtures.Capturing(key);
            tokens[i] = EvidenceEncoder.of(capturing).encode(claims[i]);
            toBeSigned[i] = capturing.toBeSigned();
            rawSignatures[i] = RawSignature.sign(alg, privateKey, toBeSigned[i]);
        }
        encoder = EvidenceEncoder.of(key);
        decoder = EvidenceDecoder.builder(KeyResolver.byKeyId(List.of(vk))).build();
        uncachedDecoder = EvidenceDecoder.builder(KeyResolver.byKeyId(List.of(vk))).measurementCache(0).build();
        // Every path must do the real work on valid input, or the figures mean nothing.
        for (int i = 0; i < CYCLES; i++) {
            if (decoder.decode(tokens[i]).claims().allMeasurements().size() != Fixtures.MEASUREMENTS
                    || !decoder.decode(tokens[i]).claims().log().equals(uncachedDecoder.decode(tokens[i]).claims().log())
                    || !RawSignature.verify(alg, publicKey, toBeSigned[i], rawSignatures[i])
                    || !baselineVerifyPrehashed()) {
                throw new IllegalStateException("fixture does not verify");
            }
        }
        if (alg == SignatureAlgorithm.ES256) {
            TokenSizes.print(claims[0], key, tokens[0]);
        }
    }

    private int next() {
        return next++ & (CYCLES - 1);
    }

    @Benchmark
    public byte[] encodeSign() throws Exception {
        return encoder.encode(claims[next()]);
    }

    /** Decode and verify the device's next evidence, its measurements remembered from the cycles before. */
    @Benchmark
    public VerifiedEvidence decodeVerify() throws Exception {
        return decoder.decode(tokens[next()]);
    }

    /** The same with the decoder's measurement cache off: every measurement decoded in full. */
    @Benchmark
    public VerifiedEvidence uncachedDecodeVerify() throws Exception {
        return uncachedDecoder.decode(tokens[next()]);
    }

    /** The signing limit: JCA sign of the same Sig_structure with the same key and provider. */
    @Benchmark
    public byte[] baselineSign() throws Exception {
        return RawSignature.sign(alg, privateKey, toBeSigned[next()]);
    }

    /** The verification limit: JCA verify of the same Sig_structure with the same key and provider. */
    @Benchmark
    public boolean baselineVerify() throws Exception {
        int i = next();
        return RawSignature.verify(alg, publicKey, toBeSigned[i], rawSignatures[i]);
    }

    /**
     * The fastest verification limit: for ECDSA, the message hashed by the JDK's SHA-2 and the
     * digest verified by Bouncy Castle ({@link RawSignature#verifyPrehashed}), as attest does;
     * for the other algorithms the same as {@link #baselineVerify}.
     */
    @Benchmark
    public boolean baselineVerifyPrehashed() throws Exception {
        int i = next();
        return alg.isEcdsa() ? RawSignature.verifyPrehashed(alg, publicKey, toBeSigned[i], rawSignatures[i])
                : RawSignature.verify(alg, publicKey, toBeSigned[i], rawSignatures[i]);
    }
}
