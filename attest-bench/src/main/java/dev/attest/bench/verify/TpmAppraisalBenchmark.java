package dev.attest.bench.verify;

import dev.attest.bench.Fixtures;
import dev.attest.bench.RawSignature;
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
import dev.attest.tpm.TpmtSignature;
import dev.attest.tpm.attest.TpmAppraiser;
import dev.attest.tpm.attest.TpmQuoteCollector;
import dev.attest.verify.AppraisalContext;
import dev.attest.verify.AttestationResult;
import dev.attest.verify.Policy;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.TrustAnchors;
import dev.attest.verify.Verifier;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
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

    private Verifier verifier;
    private AppraisalBenchmark.ResettableStore store;
    private byte[][] chain;
    private int next;
    private int notAffirming;
    private final AppraisalContext context = AppraisalContext.periodic();
    private byte[] toBeSigned;
    private byte[] rawSignature;
    private PublicKey evidenceKey;
    private byte[] attest;
    private byte[] quoteSignature;
    private PublicKey akKey;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair akPair = g.generateKeyPair();
        ECPublicKey w = (ECPublicKey) akPair.getPublic();
        TpmtPublic t = TpmtPublic.akEccP256Template();
        TpmtPublic ak = new TpmtPublic(t.type(), t.nameAlg(), t.objectAttributes(), t.authPolicy(), t.symmetricAlg(),
                t.symmetricKeyBits(), t.symmetricMode(), t.schemeAlg(), t.schemeHashAlg(), t.curveId(), t.kdfAlg(),
                t.kdfHashAlg(), t.rsaKeyBits(), t.rsaExponent(), fixed(w.getW().getAffineX()), fixed(w.getW().getAffineY()));
        Map<String, Value> pcrs = new TreeMap<>();
        ByteArrayOutputStream concat = new ByteArrayOutputStream();
        for (int i = 0; i <= 10; i++) {
            byte[] v = HashAlg.SHA256.hash(("PCR " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            pcrs.put("sha256:" + i, new Value.Bytes(v));
            concat.writeBytes(v);
        }
        byte[] pcrDigest = HashAlg.SHA256.hash(concat.toByteArray());
        SecureRandom random = new SecureRandom();

        Fixtures.Device golden = new Fixtures.Device("golden", SignatureAlgorithm.ES256);
        ReferenceValues refs = ReferenceValues.capture(EvidenceDecoder.builder(
                KeyResolver.single(golden.key().verificationKey().orElseThrow())).build().decode(golden.next()).claims());
        Fixtures.Device device = new Fixtures.Device(DEVICE, SignatureAlgorithm.ES256);
        store = new AppraisalBenchmark.ResettableStore();
        verifier = Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of(DEVICE, device.key().verificationKey().orElseThrow())))
                .referenceValues(refs)
                .policy(Policy.fromJson(AppraisalBenchmark.POLICY))
                .stateStore(store)
                .appraiser(TpmAppraiser.builder().enroll(DEVICE, ak).build())
                .clock(Clock.fixed(Fixtures.T0.plusSeconds(30), ZoneOffset.UTC))
                .build();
        chain = new byte[AppraisalBenchmark.CHAIN + 1][];
        for (int i = 0; i <= AppraisalBenchmark.CHAIN; i++) {
            byte[] qualifying = new byte[32];
            random.nextBytes(qualifying);
            byte[] a = new TpmsAttest(TpmsAttest.TPM_GENERATED_VALUE, TpmsAttest.TPM_ST_ATTEST_QUOTE, ak.name(), qualifying,
                    new TpmsAttest.ClockInfo(1_000L * (i + 1), 3, 1, true), 0x2023_0101_0000_0000L,
                    TpmQuoteCollector.DEFAULT_PCRS, pcrDigest).encode();
            byte[] der = RawSignature.sign(SignatureAlgorithm.ES256, akPair.getPrivate(), a);
            byte[][] rs = rs(der);
            byte[] sig = new TpmtSignature(TpmtSignature.Scheme.ECDSA, HashAlg.SHA256, rs[0], rs[1], new byte[0]).encode();
            Map<String, Value> v = new TreeMap<>();
            v.put(TpmQuoteCollector.ATTEST, new Value.Bytes(a));
            v.put(TpmQuoteCollector.SIGNATURE, new Value.Bytes(sig));
            v.put(TpmQuoteCollector.AK_PUBLIC, new Value.Bytes(ak.encodeTpm2b()));
            v.put("ak-name", new Value.Bytes(ak.name()));
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
        List<String> checks = new ArrayList<>();
        for (int i = 0; i < AppraisalBenchmark.CHAIN; i++) {
            AttestationResult r = verifier.appraise(chain[i], context);
            if (!r.affirming()) {
                throw new IllegalStateException("fixture is not affirming: " + r);
            }
            r.findings().forEach(f -> checks.add(f.check()));
        }
        // The quotes are appraised: with another AK enrolled, the same evidence is contraindicated.
        TpmtPublic otherAk = TpmtPublic.akEccP256Template();
        AttestationResult wrongAk = Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of(DEVICE, device.key().verificationKey().orElseThrow())))
                .referenceValues(refs).policy(Policy.fromJson(AppraisalBenchmark.POLICY))
                .appraiser(TpmAppraiser.builder().enroll(DEVICE, new TpmtPublic(t.type(), t.nameAlg(),
                        t.objectAttributes(), t.authPolicy(), t.symmetricAlg(), t.symmetricKeyBits(), t.symmetricMode(),
                        t.schemeAlg(), t.schemeHashAlg(), t.curveId(), t.kdfAlg(), t.kdfHashAlg(), t.rsaKeyBits(),
                        t.rsaExponent(), otherPoint(g, true), otherPoint(g, false))).build())
                .clock(Clock.fixed(Fixtures.T0.plusSeconds(30), ZoneOffset.UTC))
                .build().appraise(chain[0], context);
        if (wrongAk.affirming() || wrongAk.findings().stream().noneMatch(f -> f.check().startsWith("tpm."))) {
            throw new IllegalStateException("the quotes are not appraised: " + wrongAk + " " + otherAk);
        }
        if (verifier.appraise(chain[AppraisalBenchmark.CHAIN - 1], context).affirming()) {
            throw new IllegalStateException("a replay was accepted");
        }
        store.reset();
        next = 0;
        evidenceKey = device.key().verificationKey().orElseThrow().publicKey();
        rawSignature = RawSignature.sign(SignatureAlgorithm.ES256, device.key().privateKey(), toBeSigned);
        akKey = KeyFactory.getInstance("EC", new org.bouncycastle.jce.provider.BouncyCastleProvider())
                .generatePublic(new X509EncodedKeySpec(w.getEncoded()));
        if (!baselineTwoVerifies()) {
            throw new IllegalStateException("a baseline does not verify");
        }
        System.out.println("findings of the fixture's first appraisals (check ids): "
                + new java.util.TreeSet<>(checks));
    }

    private KeyPair other;

    /** A coordinate of another P-256 key (the same key for x and y). */
    private byte[] otherPoint(KeyPairGenerator g, boolean x) {
        if (other == null) {
            other = g.generateKeyPair();
        }
        java.security.spec.ECPoint p = ((ECPublicKey) other.getPublic()).getW();
        return fixed(x ? p.getAffineX() : p.getAffineY());
    }

    private static byte[] fixed(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(b.length, 32);
        System.arraycopy(b, b.length - n, out, 32 - n, n);
        return out;
    }

    /** Splits a DER ECDSA-Sig-Value (short form) into unsigned, fixed-length r and s. */
    private static byte[][] rs(byte[] der) {
        int i = 2;
        byte[][] out = new byte[2][];
        for (int k = 0; k < 2; k++) {
            int len = der[i + 1];
            out[k] = fixed(new BigInteger(1, java.util.Arrays.copyOfRange(der, i + 2, i + 2 + len)));
            i += 2 + len;
        }
        return out;
    }

    @TearDown(Level.Iteration)
    public void checkAllAffirming() {
        if (notAffirming != 0) {
            throw new IllegalStateException(notAffirming + " appraisals were not affirming");
        }
    }

    @Benchmark
    public AttestationResult appraise() {
        if (next == AppraisalBenchmark.CHAIN) {
            next = 0;
            store.reset();
        }
        AttestationResult r = verifier.appraise(chain[next++], context);
        if (!r.affirming()) {
            notAffirming++;
        }
        return r;
    }

    /** The limit: the evidence's signature and the quote's, each verified once. */
    @Benchmark
    public boolean baselineTwoVerifies() throws Exception {
        return RawSignature.verifyPrehashed(SignatureAlgorithm.ES256, evidenceKey, toBeSigned, rawSignature)
                & RawSignature.verify(SignatureAlgorithm.ES256, akKey, attest, quoteSignature);
    }
}
