package dev.attest.bench.evidence;

import dev.attest.bench.Fixtures;
import dev.attest.bench.RawSignature;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerifiedEvidence;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
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
 * {@link EvidenceDecoder#decode} of a 50-measurement ES256 evidence that carries its key in an
 * {@code x5chain} (leaf and intermediate, both P-256 and signed with ECDSA, to a configured root),
 * resolved through {@link KeyResolver#x509} without a revocation checker, as a fleet verifier
 * appraising the same device again and again does. Against the raw ES256 verify (JCA, same
 * Bouncy Castle provider, the leaf's key) of the same Sig_structure in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 3)
@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 2)
public class X5ChainBenchmark {
    private static final SignatureAlgorithm ALG = SignatureAlgorithm.ES256;

    private EvidenceDecoder decoder;
    private byte[] token;
    private byte[] toBeSigned;
    private byte[] rawSignature;
    private PublicKey publicKey;

    private static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate cert(String subject, PublicKey key, String issuer, PrivateKey signer, boolean ca,
            Duration validity) throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(System.nanoTime()),
                Date.from(Fixtures.T0.minus(Duration.ofDays(1))), Date.from(Fixtures.T0.plus(validity)),
                new X500Name(subject), key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Fixtures.Device device = new Fixtures.Device("device-0042", ALG);
        SigningKey key = device.key();
        publicKey = key.verificationKey().orElseThrow().publicKey();
        KeyPair root = p256();
        KeyPair intermediate = p256();
        X509Certificate rootCert = cert("CN=fleet root", root.getPublic(), "CN=fleet root", root.getPrivate(), true,
                Duration.ofDays(3650));
        X509Certificate intermediateCert = cert("CN=fleet issuing CA", intermediate.getPublic(), "CN=fleet root",
                root.getPrivate(), true, Duration.ofDays(1825));
        X509Certificate leafCert = cert("CN=device-0042", publicKey, "CN=fleet issuing CA", intermediate.getPrivate(),
                false, Duration.ofDays(365));
        Fixtures.Capturing capturing = new Fixtures.Capturing(key);
        token = EvidenceEncoder.of(capturing).withX5chain(List.of(leafCert, intermediateCert))
                .encode(device.nextClaims(Optional.of(Fixtures.NONCE)));
        toBeSigned = capturing.toBeSigned();
        Clock clock = Clock.fixed(Fixtures.T0, ZoneOffset.UTC);
        decoder = EvidenceDecoder.builder(KeyResolver.x509(List.of(rootCert), clock, Optional.empty())).build();
        rawSignature = RawSignature.sign(ALG, key.privateKey(), toBeSigned);
        // Both paths must do the real work on valid input, or the figures mean nothing.
        VerifiedEvidence v = decoder.decode(token);
        if (v.claims().allMeasurements().size() != Fixtures.MEASUREMENTS || v.x5chain().size() != 2
                || !RawSignature.verify(ALG, publicKey, toBeSigned, rawSignature)) {
            throw new IllegalStateException("fixture does not verify");
        }
    }

    /** Decode, chain to the root, signature, claims. */
    @Benchmark
    public VerifiedEvidence decodeVerify() throws Exception {
        return decoder.decode(token);
    }

    /** The verification limit: JCA verify of the same Sig_structure with the leaf's key. */
    @Benchmark
    public boolean baselineVerify() throws Exception {
        return RawSignature.verify(ALG, publicKey, toBeSigned, rawSignature);
    }

    /** The fastest ECDSA verification limit ({@link RawSignature#verifyPrehashed}), as attest does. */
    @Benchmark
    public boolean baselineVerifyPrehashed() throws Exception {
        return RawSignature.verifyPrehashed(ALG, publicKey, toBeSigned, rawSignature);
    }
}
