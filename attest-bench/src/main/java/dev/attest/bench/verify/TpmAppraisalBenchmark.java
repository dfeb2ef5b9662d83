package dev.attest.bench.verify;

import dev.attest.bench.Fixtures;
import dev.attest.bench.RawSignature;
import dev.attest.bench.tpm.SoftwareAk;
import dev.attest.core.ComponentId;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.TpmsAttest;
import dev.attest.tpm.TpmtPublic;
import dev.attest.tpm.attest.TpmAppraiser;
import dev.attest.tpm.attest.TpmQuoteCollector;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.Policy;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Verifier#appraise} of TPM-backed evidence, one thread: the 50 measurements of
 * {@link AppraisalBenchmark} plus the cycle's {@code tpm-quote} measurement (a quote of SHA-256
 * PCRs 0-10 in the TPM's wire format, signed by a software P-256 AK, exactly as
 * {@link TpmQuoteCollector} reports it), appraised with {@link TpmAppraiser} for the enrolled AK
 * and the same reference values, policy and continuity as {@link AppraisalBenchmark}. Every
 * appraisal verifies two signatures (the evidence and the quote), compares the TPM clock with the
 * last quote's and swaps the device's TPM state in the (in-memory) store. The limit is those two
 * verifications alone ({@code baselineTwoVerifies}: the evidence's over a JDK SHA-256 digest and
 * the quote's, both by Bouncy Castle with kept keys).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 3)
@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 2)
public class TpmAppraisalBenchmark {
    private static final String DEVICE = "device-0042";

    private AppraisalChain appraisals;
    private byte[] toBeSigned;
    private byte[] rawSignature;
    private PublicKey evidenceKey;
    private byte[] attest;
    private byte[] quoteSignature;
    private PublicKey akKey;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        SoftwareAk ak = SoftwareAk.generate();
        Map<String, Value> pcrs = new TreeMap<>();
        ByteArrayOutputStream concat = new ByteArrayOutputStream();
        for (int i = 0; i <= 10; i++) {
            byte[] v = HashAlg.SHA256.hash(("PCR " + i).getBytes(StandardCharsets.US_ASCII));
            pcrs.put("sha256:" + i, new Value.Bytes(v));
            concat.writeBytes(v);
        }
        byte[] pcrDigest = HashAlg.SHA256.hash(concat.toByteArray());
        SecureRandom random = new SecureRandom();

        Fixtures.Device golden = new Fixtures.Device("golden", SignatureAlgorithm.ES256);
        ReferenceValues refs = ReferenceValues.capture(EvidenceDecoder.builder(
                KeyResolver.single(golden.key().verificationKey().orElseThrow())).build().decode(golden.next()).claims());
        Fixtures.Device device = new Fixtures.Device(DEVICE, SignatureAlgorithm.ES256);
        AppraisalBenchmark.ResettableStore store = new AppraisalBenchmark.ResettableStore();
        Verifier verifier = verifier(device, refs, store, ak.publicArea());
        byte[][] chain = new byte[AppraisalBenchmark.CHAIN][];
        for (int i = 0; i <= AppraisalBenchmark.CHAIN; i++) {
            byte[] qualifying = new byte[32];
            random.nextBytes(qualifying);
            byte[] a = new TpmsAttest(TpmsAttest.TPM_GENERATED_VALUE, TpmsAttest.TPM_ST_ATTEST_QUOTE,
                    ak.publicArea().name(), qualifying, new TpmsAttest.ClockInfo(1_000L * (i + 1), 3, 1, true),
                    0x2023_0101_0000_0000L, TpmQuoteCollector.DEFAULT_PCRS, pcrDigest).encode();
            byte[] der = ak.signDer(a);
            Map<String, Value> v = new TreeMap<>();
            v.put(TpmQuoteCollector.ATTEST, new Value.Bytes(a));
            v.put(TpmQuoteCollector.SIGNATURE, new Value.Bytes(SoftwareAk.tpmtSignature(der)));
            v.put(TpmQuoteCollector.AK_PUBLIC, new Value.Bytes(ak.publicArea().encodeTpm2b()));
            v.put("ak-name", new Value.Bytes(ak.publicArea().name()));
            v.put(TpmQuoteCollector.QUALIFYING_DATA, new Value.Bytes(qualifying));
            v.put(TpmQuoteCollector.PCRS, Value.MapValue.of(pcrs));
            Measurement quote = Measurement.builder(ComponentId.of(TpmQuoteCollector.ID), Layer.TPM)
                    .collector(TpmQuoteCollector.ID).time(Fixtures.T0).values(v).build();
            if (i < AppraisalBenchmark.CHAIN) {
                chain[i] = EvidenceEncoder.of(device.key()).encode(device.nextClaims(Optional.empty(), List.of(quote)));
            } else {
                Fixtures.Capturing capturing = new Fixtures.Capturing(device.key());
                EvidenceEncoder.of(capturing).encode(device.nextClaims(Optional.empty(), List.of(quote)));
                toBeSigned = capturing.toBeSigned();
                attest = a;
                quoteSignature = der;
            }
        }
        // The quotes are appraised: with another AK enrolled, the same evidence is contraindicated.
        AttestationResult wrongAk = verifier(device, refs, new AppraisalBenchmark.ResettableStore(),
                SoftwareAk.generate().publicArea()).appraise(chain[0], AppraisalContext.periodic());
        if (wrongAk.affirming() || wrongAk.findings().stream().noneMatch(f -> f.check().startsWith("tpm."))) {
            throw new IllegalStateException("the quotes are not appraised: " + wrongAk);
        }
        appraisals = new AppraisalChain(verifier, store, chain);
        evidenceKey = device.key().verificationKey().orElseThrow().publicKey();
        rawSignature = RawSignature.sign(SignatureAlgorithm.ES256, device.key().privateKey(), toBeSigned);
        akKey = ak.bouncyCastleKey();
        if (!baselineTwoVerifies()) {
            throw new IllegalStateException("a baseline does not verify");
        }
    }

    /** The fleet verifier of {@link AppraisalBenchmark} with {@link TpmAppraiser} and {@code ak} enrolled. */
    private static Verifier verifier(Fixtures.Device device, ReferenceValues refs,
            AppraisalBenchmark.ResettableStore store, TpmtPublic ak) throws Exception {
        return Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of(DEVICE, device.key().verificationKey().orElseThrow())))
                .referenceValues(refs)
                .policy(Policy.fromJson(AppraisalBenchmark.POLICY))
                .stateStore(store)
                .appraiser(TpmAppraiser.builder().enroll(DEVICE, ak).build())
                .clock(Clock.fixed(Fixtures.T0.plusSeconds(30), ZoneOffset.UTC))
                .build();
    }

    @TearDown(Level.Iteration)
    public void checkAllAffirming() {
        appraisals.checkAllAffirming();
    }

    @Benchmark
    public AttestationResult appraise() {
        return appraisals.appraiseNext();
    }

    /** The limit: the evidence's signature and the quote's, each verified once. */
    @Benchmark
    public boolean baselineTwoVerifies() throws Exception {
        return RawSignature.verifyPrehashed(SignatureAlgorithm.ES256, evidenceKey, toBeSigned, rawSignature)
                & RawSignature.verify(SignatureAlgorithm.ES256, akKey, attest, quoteSignature);
    }
}
