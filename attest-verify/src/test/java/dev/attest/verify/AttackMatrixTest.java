package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.LogEntry;
import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EatProfile;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.testkit.RevocationList;
import dev.attest.verify.ear.TrustTier;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** Rows of the SECURITY.md attack matrix not covered by VerifierTest / EvidenceTest. */
class AttackMatrixTest {
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-25T12:00:30Z"), ZoneOffset.UTC);

    @Test
    void keySubstitutionKidPointingAtAnotherDevice() throws Exception {
        TestDevice victim = new TestDevice("dev-1");
        TestDevice attacker = new TestDevice("dev-2");
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of("dev-1", victim.publicKey(),
                "dev-2", attacker.publicKey()))).referenceValues(ReferenceValues.builder().forbid("x").build())
                .clock(NOW).build();
        // dev-2 signs with its own key but names dev-1's kid: the kid selects dev-1's key, which fails.
        SigningKey lying = SigningKey.of(attacker.key.privateKey(), SignatureAlgorithm.ES256, Optional.of(KeyId.of("dev-1")));
        byte[] token = EvidenceEncoder.of(lying).encode(EatClaims.builder().iat(NOW.instant())
                .measurementLog(attacker.lastSent, attacker.log.append(attacker.cycle()), attacker.log.head()).build());
        AttestationResult r = v.appraise(token, AppraisalContext.periodic());
        assertEquals(Checks.EVIDENCE, r.findings().get(0).check());
        assertTrue(r.findings().get(0).actual().startsWith("BAD_SIGNATURE"));
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate cert(String subject, PublicKey key, String issuer, PrivateKey signer, boolean ca,
            Instant from, Instant to) throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(System.nanoTime()),
                Date.from(from), Date.from(to), new X500Name(subject), key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private static byte[] chainEvidence(KeyPair device, List<X509Certificate> chain) throws Exception {
        TestDevice d = new TestDevice("x509");
        SigningKey k = SigningKey.of(device, SignatureAlgorithm.ES256, Optional.empty());
        List<LogEntry> entries = d.log.append(d.cycle());
        return EvidenceEncoder.of(k).withX5chain(chain).encode(EatClaims.builder().profile(EatProfile.PROFILE)
                .iat(NOW.instant()).measurementLog(d.lastSent, entries, d.log.head()).build());
    }

    @Test
    void x5chainToAnUntrustedRootOrExpiredIsRefusedAndToTheRootAccepted() throws Exception {
        Instant t = NOW.instant();
        KeyPair root = ec();
        KeyPair evil = ec();
        KeyPair device = ec();
        X509Certificate rootCert = cert("CN=fleet root", root.getPublic(), "CN=fleet root", root.getPrivate(), true,
                t.minusSeconds(86400), t.plusSeconds(86400 * 365));
        X509Certificate good = cert("CN=gw-7", device.getPublic(), "CN=fleet root", root.getPrivate(), false,
                t.minusSeconds(3600), t.plusSeconds(86400));
        X509Certificate forged = cert("CN=gw-7", device.getPublic(), "CN=fleet root", evil.getPrivate(), false,
                t.minusSeconds(3600), t.plusSeconds(86400));
        X509Certificate expired = cert("CN=gw-7", device.getPublic(), "CN=fleet root", root.getPrivate(), false,
                t.minusSeconds(86400 * 3), t.minusSeconds(86400));
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.x509(List.of(rootCert), Optional.empty()))
                .referenceValues(ReferenceValues.builder().forbid("nothing").build()).clock(NOW).build();
        AttestationResult ok = v.appraise(chainEvidence(device, List.of(good, rootCert)), AppraisalContext.periodic());
        assertEquals("CN=gw-7", ok.device().orElseThrow());
        assertTrue(ok.findings().stream().noneMatch(f -> f.check().equals(Checks.EVIDENCE)), ok.findings().toString());
        for (X509Certificate bad : List.of(forged, expired)) {
            AttestationResult r = v.appraise(chainEvidence(device, List.of(bad)), AppraisalContext.periodic());
            assertEquals(Checks.EVIDENCE, r.findings().get(0).check());
            assertTrue(r.findings().get(0).actual().startsWith("BAD_CERTIFICATE"), r.findings().toString());
            assertEquals(TrustTier.CONTRAINDICATED, r.status());
        }
        AttestationResult none = v.appraise(new TestDevice("no-chain").evidence(), AppraisalContext.periodic());
        assertEquals(Checks.IDENTITY_UNKNOWN, none.findings().get(0).check());
    }

    @Test
    void x5chainRevokedAfterItWasAcceptedIsRefused() throws Exception {
        Instant t = NOW.instant();
        KeyPair root = ec();
        KeyPair device = ec();
        X509Certificate rootCert = cert("CN=fleet root", root.getPublic(), "CN=fleet root", root.getPrivate(), true,
                t.minusSeconds(86400), t.plusSeconds(86400 * 365));
        X509Certificate leaf = cert("CN=gw-7", device.getPublic(), "CN=fleet root", root.getPrivate(), false,
                t.minusSeconds(3600), t.plusSeconds(86400));
        RevocationList crl = new RevocationList();
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.x509(List.of(rootCert), Optional.of(crl)))
                .referenceValues(ReferenceValues.builder().forbid("nothing").build()).clock(NOW).build();
        for (int i = 1; i <= 2; i++) {
            AttestationResult ok = v.appraise(chainEvidence(device, List.of(leaf, rootCert)), AppraisalContext.periodic());
            assertTrue(ok.findings().stream().noneMatch(f -> f.check().equals(Checks.EVIDENCE)), ok.findings().toString());
            assertEquals(i, crl.checked());
        }
        crl.revoke();
        AttestationResult r = v.appraise(chainEvidence(device, List.of(leaf, rootCert)), AppraisalContext.periodic());
        assertEquals(Checks.EVIDENCE, r.findings().get(0).check());
        assertTrue(r.findings().get(0).actual().startsWith("BAD_CERTIFICATE"), r.findings().toString());
        assertEquals(TrustTier.CONTRAINDICATED, r.status());
        assertEquals(3, crl.checked());
    }

    @Test
    void downgradeToAWeakerDigestAlgorithmIsRefused() throws Exception {
        TestDevice d = new TestDevice("dev-1");
        // A validly signed token whose log uses digest algorithm 2 (not on the allow-list; SHA-1
        // has no named-information id here at all) is refused as bad claims.
        byte[] payload = EvidenceEncoder.payload(EatClaims.builder().iat(NOW.instant())
                .measurementLog(d.lastSent, d.log.append(d.cycle()), d.log.head()).build());
        Cbor.Map claims = (Cbor.Map) CborDecoder.lenient(1 << 16, 16, 1 << 16).decode(payload);
        Cbor.MapBuilder b = Cbor.map();
        for (Cbor.Entry e : claims.entries()) {
            if (e.key().equals(new Cbor.Int(EatProfile.ATTEST_LOG))) {
                Cbor.MapBuilder log = Cbor.map();
                for (Cbor.Entry le : ((Cbor.Map) e.value()).entries()) {
                    log.put(le.key(), le.key().equals(new Cbor.Int(1)) ? new Cbor.Int(2) : le.value());
                }
                b.put(e.key(), log.build());
            } else {
                b.put(e.key(), e.value());
            }
        }
        byte[] weak = CborEncoder.encode(b.build());
        byte[] ph = CborEncoder.encode(Cbor.map().put(1, new Cbor.Int(-7)).put(4, new Cbor.Bytes("dev-1".getBytes())).build());
        byte[] sig = d.key.sign(CborEncoder.encode(Cbor.Array.of(new Cbor.Text("Signature1"), new Cbor.Bytes(ph),
                new Cbor.Bytes(new byte[0]), new Cbor.Bytes(weak))));
        byte[] token = CborEncoder.encode(new Cbor.Tag(18, Cbor.Array.of(new Cbor.Bytes(ph), Cbor.map().build(),
                new Cbor.Bytes(weak), new Cbor.Bytes(sig))));
        Verifier v = Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of("dev-1", d.publicKey()))).clock(NOW).build();
        AttestationResult r = v.appraise(token, AppraisalContext.periodic());
        assertEquals(Checks.EVIDENCE, r.findings().get(0).check());
        assertTrue(r.findings().get(0).actual().startsWith("BAD_CLAIMS"), r.findings().toString());
        assertTrue(r.findings().get(0).actual().contains("not allowed"), r.findings().toString());
    }
}
