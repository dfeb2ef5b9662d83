package dev.attest.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TPM provisioned like a manufactured one: swtpm_setup creates the EK, signs an EK
 * certificate with a local CA (swtpm_localca, state in a temp dir) and stores it in NV. Our
 * client reads the certificate, and its public key is the EK our template derives.
 */
class EkCertificateIT {
    @TempDir
    Path dir;

    @Test
    void manufacturedEkCertificateMatchesTheTemplateEk() throws Exception {
        Path ca = Files.createDirectories(dir.resolve("localca"));
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.writeString(dir.resolve("swtpm-localca.conf"), "statedir = " + ca + "\nsigningkey = " + ca
                + "/signkey.pem\nissuercert = " + ca + "/issuercert.pem\ncertserial = " + ca + "/certserial\n");
        Files.writeString(dir.resolve("swtpm-localca.options"), "--platform-manufacturer attest\n--platform-version 1\n"
                + "--platform-model test\n");
        Files.writeString(dir.resolve("swtpm_setup.conf"), "create_certs_tool = /usr/bin/swtpm_localca\n"
                + "create_certs_tool_config = " + dir.resolve("swtpm-localca.conf") + "\n"
                + "create_certs_tool_options = " + dir.resolve("swtpm-localca.options") + "\n");
        Process p;
        try {
            p = new ProcessBuilder("swtpm_setup", "--tpm2", "--tpmstate", state.toString(), "--config",
                    dir.resolve("swtpm_setup.conf").toString(), "--create-ek-cert", "--pcr-banks", "sha1,sha256",
                    "--overwrite").redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Swtpm.missing("swtpm_setup (swtpm-tools)", e);
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);

        byte[] der;
        LoadedKey ek;
        LoadedKey persistent;
        try (Swtpm swtpm = Swtpm.start(state); Tpm tpm = swtpm.connect()) {
            der = tpm.ekCertificate(TpmtPublic.KeyType.RSA).orElseThrow();
            // swtpm_setup makes an ECC P-384 EK (high-range index), so there is no P-256 certificate
            assertEquals(Optional.empty(), tpm.ekCertificate(TpmtPublic.KeyType.ECC));
            ek = tpm.createPrimary(Hierarchy.ENDORSEMENT, TpmtPublic.ekRsa2048Template());
            tpm.flushContext(ek.handle());
            persistent = tpm.readPublic(0x81010001);
        }
        X509Certificate cert;
        try (InputStream in = new ByteArrayInputStream(der)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        RSAPublicKey certKey = (RSAPublicKey) cert.getPublicKey();
        assertEquals(new BigInteger(1, ek.publicArea().uniqueX()), certKey.getModulus());
        assertEquals(BigInteger.valueOf(65537), certKey.getPublicExponent());
        // the EK swtpm_setup persisted is the one our TCG template derives
        assertArrayEquals(ek.name(), persistent.name());
        // and the certificate chains to the local CA's issuer certificate
        X509Certificate issuer;
        try (InputStream in = Files.newInputStream(ca.resolve("issuercert.pem"))) {
            issuer = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        cert.verify(issuer.getPublicKey());
        assertEquals(issuer.getSubjectX500Principal(), cert.getIssuerX500Principal());
    }
}
