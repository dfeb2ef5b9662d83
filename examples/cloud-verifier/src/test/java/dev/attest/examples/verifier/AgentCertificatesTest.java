package dev.attest.examples.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.evidence.Pem;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which device a client certificate speaks for (its one subject CN, a valid device id, within its
 * validity), and which agent CA files the service accepts (CA certificates only).
 */
class AgentCertificatesTest {
    private static final Instant NOW = Instant.parse("2026-12-06T03:00:00Z");
    private final KeyPair key = ecKey();

    private static KeyPair ecKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private X509Certificate cert(String subject, Instant from, Instant to, boolean ca) throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=issuer"), BigInteger.TEN,
                Date.from(from), Date.from(to), new X500Name(subject), key.getPublic());
        b.addExtension(Extension.basicConstraints, true, ca ? new BasicConstraints(0) : new BasicConstraints(false));
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }

    private Optional<String> device(String subject) throws Exception {
        return AgentCertificates.device(List.of(cert(subject, NOW.minusSeconds(60), NOW.plusSeconds(60), false)), NOW);
    }

    @Test
    void theDeviceIsTheOneCommonNameOfTheLeaf() throws Exception {
        assertEquals(Optional.of("gw-17"), device("CN=gw-17"));
        assertEquals(Optional.of("gw-17"), device("O=fleet,OU=gateways,CN=gw-17"));
        assertEquals(Optional.empty(), device("O=fleet"), "no CN");
        assertEquals(Optional.empty(), device("CN=gw-17,CN=gw-18"), "two CNs");
        assertEquals(Optional.empty(), device("CN=gw-17+OU=gateways"), "a multi-valued RDN");
        assertEquals(Optional.empty(), device("CN=gw 17"), "not a device id");
        assertEquals(Optional.empty(), device("CN=" + "a".repeat(129)), "longer than a device id");
        assertEquals(Optional.empty(), AgentCertificates.device(List.of(), NOW), "no certificate");
    }

    @Test
    void aCertificateOutsideItsValidityNamesNoDevice() throws Exception {
        X509Certificate expired = cert("CN=gw-17", NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofDays(1)), false);
        X509Certificate future = cert("CN=gw-17", NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(2)), false);
        assertEquals(Optional.empty(), AgentCertificates.device(List.of(expired), NOW));
        assertEquals(Optional.empty(), AgentCertificates.device(List.of(future), NOW));
        assertEquals(Optional.of("gw-17"), AgentCertificates.device(List.of(future), NOW.plus(Duration.ofDays(1))));
    }

    @Test
    void theAgentCaFileHoldsCaCertificatesOnly(@TempDir Path dir) throws Exception {
        X509Certificate ca = cert("CN=agent CA", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)), true);
        X509Certificate leaf = cert("CN=gw-17", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)), false);
        Path good = Files.writeString(dir.resolve("ca.pem"), Pem.certificate(ca));
        assertEquals("TLSv1.3", AgentCertificates.load(good).context(null).getProtocol());
        assertTrue(AgentCertificates.parameters(AgentCertificates.load(good).context(null)).getWantClientAuth());
        Path mixed = Files.writeString(dir.resolve("mixed.pem"), Pem.certificate(ca) + Pem.certificate(leaf));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentCertificates.load(mixed));
        assertEquals(mixed + ": certificate 2 (CN=gw-17) is not a CA certificate", e.getMessage());
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertEquals(empty + ": no certificate",
                assertThrows(IllegalArgumentException.class, () -> AgentCertificates.load(empty)).getMessage());
    }
}
