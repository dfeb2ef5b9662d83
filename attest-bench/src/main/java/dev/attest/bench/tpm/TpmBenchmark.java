package dev.attest.bench.tpm;

import dev.attest.bench.RawSignature;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.tpm.HashAlg;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.Quote;
import dev.attest.tpm.QuoteVerification;
import dev.attest.tpm.QuoteVerifier;
import dev.attest.tpm.TpmsAttest;
import dev.attest.tpm.TpmtPublic;
import dev.attest.tpm.eventlog.EventLog;
import java.nio.file.Files;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
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
 * The verifier's TPM work per evidence, on the crypto_agile vector log (a real machine's 27-event
 * log, SHA-256 bank): {@link QuoteVerifier#verify} of an ECDSA P-256 quote over the log's
 * replayed PCRs, {@link EventLog#parse} + {@link EventLog#replay}, and both together (what
 * {@code TpmAppraiser} does). The quote is a TPMS_ATTEST/TPMT_SIGNATURE in the TPM's exact wire
 * format signed by a software P-256 key (verification cost does not depend on who signed).
 * Baseline: one JCA ECDSA P-256 verification of the same TPMS_ATTEST bytes by the SDK's provider
 * (Bouncy Castle) with its own key object kept across calls (the compute limit of the signature
 * check); {@code jdkEcdsaVerify} is the same verification by the JDK's SunEC, for reference.
 * {@code quoteVerify} builds the AK's JCA key from its public area per quote;
 * {@code quoteVerifyPrepared} uses an AK {@link QuoteVerifier#prepare}d once, as
 * {@code TpmAppraiser} does for each enrolled AK. {@link SwtpmQuoteBenchmark} measures the device side's swtpm round trip.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 3)
public class TpmBenchmark {
    private byte[] log;
    private TpmtPublic ak;
    private Quote quote;
    private byte[] nonce;
    private PcrValues pcrs;
    private QuoteVerifier verifier;
    private ECPublicKey jcaKey;
    private java.security.PublicKey providerKey;
    private QuoteVerifier.PreparedKey prepared;
    private byte[] attest;
    private byte[] derSignature;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        log = Files.readAllBytes(dev.attest.bench.Fixtures.vectors().resolve("tcg-eventlog/crypto_agile_eventlog"));
        EventLog parsed = EventLog.parse(log);
        pcrs = parsed.replay();
        List<PcrSelection.Bank> banks = new ArrayList<>();
        for (HashAlg h : parsed.banks()) {
            banks.add(new PcrSelection.Bank(h, new TreeSet<>(pcrs.asMap().get(h).keySet())));
        }
        PcrSelection sel = new PcrSelection(banks);
        nonce = HashAlg.SHA256.hash("bench".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        SoftwareAk softwareAk = SoftwareAk.generate();
        jcaKey = softwareAk.jdkKey();
        ak = softwareAk.publicArea();
        attest = new TpmsAttest(TpmsAttest.TPM_GENERATED_VALUE, TpmsAttest.TPM_ST_ATTEST_QUOTE, ak.name(), nonce,
                new TpmsAttest.ClockInfo(123456, 3, 0, true), 0x2023_0101_0000_0000L, sel,
                HashAlg.SHA256.hash(pcrs.concatenate(sel).orElseThrow())).encode();
        derSignature = softwareAk.signDer(attest);
        quote = new Quote(attest, SoftwareAk.tpmtSignature(derSignature));
        verifier = QuoteVerifier.builder().build();
        prepared = verifier.prepare(ak);
        providerKey = softwareAk.bouncyCastleKey();
        if (!verifier.verify(ak, quote, nonce, pcrs).verified() || !verifier.verify(prepared, quote, nonce, pcrs).verified()
                || !baselineEcdsaVerify() || !jdkEcdsaVerify()) {
            throw new IllegalStateException("benchmark quote does not verify");
        }
    }

    @Benchmark
    public QuoteVerification quoteVerify() {
        return verifier.verify(ak, quote, nonce, pcrs);
    }

    @Benchmark
    public QuoteVerification quoteVerifyPrepared() {
        return verifier.verify(prepared, quote, nonce, pcrs);
    }

    @Benchmark
    public PcrValues eventLogParseAndReplay() throws Exception {
        return EventLog.parse(log).replay();
    }

    /** The appraiser's work: parse and replay the log, verify the quote (prepared AK) against the replay. */
    @Benchmark
    public QuoteVerification quoteVerifyWithEventLogReplay() throws Exception {
        return verifier.verify(prepared, quote, nonce, EventLog.parse(log).replay());
    }

    /**
     * The compute limit of the signature check: JCA ECDSA P-256 verification of the same bytes
     * by the SDK's provider, with its own key object kept across calls.
     */
    @Benchmark
    public boolean baselineEcdsaVerify() throws Exception {
        return RawSignature.verify(SignatureAlgorithm.ES256, providerKey, attest, derSignature);
    }

    /** The same verification by the JDK's own provider (SunEC), the platform default. */
    @Benchmark
    public boolean jdkEcdsaVerify() throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initVerify(jcaKey);
        s.update(attest);
        return s.verify(derSignature);
    }
}
