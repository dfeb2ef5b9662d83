package dev.attest.bench.verify;

import dev.attest.bench.Fixtures;
import dev.attest.bench.RawSignature;
import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.MeasurementLog;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.LogExtent;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.VerificationKey;
import java.security.PublicKey;
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
 * What one appraisal of the 50-measurement ES256 evidence of {@link AppraisalBenchmark} is made
 * of, each part alone (average time per call): the signature check at its fastest, the claims
 * decode without the signature, the chain replay the continuity check does, and the token
 * hash the result carries. No baseline: these are the parts, not a comparison; BENCHMARKS.md
 * reads them as the floor of {@code appraise}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 3)
@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 2)
public class AppraisalCostsBenchmark {
    /** Consecutive cycles of the device, one per call of the decoding methods. */
    private static final int CYCLES = 64;

    private EvidenceDecoder decoder;
    private EvidenceDecoder uncachedDecoder;
    private final byte[][] tokens = new byte[CYCLES][];
    private int next;
    private byte[] token;
    private byte[] toBeSigned;
    private byte[] rawSignature;
    /** A signature of {@code toBeSigned} in COSE form, as a token carries it. */
    private byte[] coseSignature;
    private PublicKey publicKey;
    private VerificationKey verificationKey;
    private LogExtent extent;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Fixtures.Device device = new Fixtures.Device("device-0042", SignatureAlgorithm.ES256);
        for (int i = 0; i < CYCLES; i++) {
            tokens[i] = device.next();
        }
        EatClaims claims = device.nextClaims(java.util.Optional.empty());
        Fixtures.Capturing capturing = new Fixtures.Capturing(device.key());
        token = EvidenceEncoder.of(capturing).encode(claims);
        toBeSigned = capturing.toBeSigned();
        verificationKey = device.key().verificationKey().orElseThrow();
        publicKey = verificationKey.publicKey();
        rawSignature = RawSignature.sign(SignatureAlgorithm.ES256, device.key().privateKey(), toBeSigned);
        coseSignature = device.key().sign(toBeSigned);
        decoder = EvidenceDecoder.builder(KeyResolver.single(device.key().verificationKey().orElseThrow())).build();
        uncachedDecoder = EvidenceDecoder.builder(KeyResolver.single(device.key().verificationKey().orElseThrow()))
                .measurementCache(0).build();
        extent = decoder.decode(token).claims().log().orElseThrow();
        if (!signatureCheck() || !keySignatureCheck() || !keySignatureCheck() || extent.measurements().size() != Fixtures.MEASUREMENTS
                || !chainReplay().matches(extent.head().head())) {
            throw new IllegalStateException("fixture does not check out");
        }
    }

    /** ES256 verify of the Sig_structure over a JDK SHA-256 digest: the limit. */
    @Benchmark
    public boolean signatureCheck() throws Exception {
        return RawSignature.verifyPrehashed(SignatureAlgorithm.ES256, publicKey, toBeSigned, rawSignature);
    }

    /**
     * The same check through the device's {@link VerificationKey}, as the decoder runs it: the
     * JDK's SHA-256, then, from the key's second signature on, its ECDSA comb instead of Bouncy
     * Castle's {@code ECDSASigner}.
     */
    @Benchmark
    public boolean keySignatureCheck() {
        return verificationKey.verify(toBeSigned, coseSignature);
    }

    /**
     * COSE parse, payload CBOR checks and the claims read straight from the bytes (50
     * measurements), without the signature, for the device's next cycle: its measurements are
     * remembered from the cycles before (the decoder's measurement cache).
     */
    @Benchmark
    public EatClaims claimsDecode() throws Exception {
        return decoder.decodeUnverified(tokens[next++ & (CYCLES - 1)]);
    }

    /** The same with the measurement cache off: every measurement decoded in full. */
    @Benchmark
    public EatClaims claimsDecodeUncached() throws Exception {
        return uncachedDecoder.decodeUnverified(tokens[next++ & (CYCLES - 1)]);
    }

    /** 50 × H(m) and 50 × H(head || H(m)): the continuity check's replay. */
    @Benchmark
    public Digest chainReplay() {
        return MeasurementLog.replay(extent.since().head(), extent.measurements());
    }

    /** SHA-256 of the token, which names the evidence in the result. */
    @Benchmark
    public byte[] tokenHash() {
        return DigestAlgorithm.SHA_256.newMessageDigest().digest(token);
    }
}
