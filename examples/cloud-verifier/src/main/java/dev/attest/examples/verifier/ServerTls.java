package dev.attest.examples.verifier;

import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The verifier's TLS identity: an EC P-256 key and a self-signed certificate for localhost /
 * 127.0.0.1, made once and kept in {@code dir/tls.p12}, so the pin agents use stays the same
 * across restarts. The pin (SHA-256 of the SubjectPublicKeyInfo, hex) is written to
 * {@code dir/verifier.pin}.
 */
final class ServerTls {
    private static final char[] PASSWORD = "attest-demo".toCharArray();
    final SSLContext context;
    final String pin;
    /** The server's key and certificate, for a context that also checks client certificates. */
    final KeyManager[] keys;

    private ServerTls(SSLContext context, String pin, KeyManager[] keys) {
        this.context = context;
        this.pin = pin;
        this.keys = keys;
    }

    static ServerTls loadOrCreate(Path dir) throws Exception {
        Path p12 = dir.resolve("tls.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        if (Files.exists(p12)) {
            try (InputStream in = Files.newInputStream(p12)) {
                ks.load(in, PASSWORD);
            }
        } else {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            X500Name name = new X500Name("CN=attest cloud verifier");
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(365))), name,
                    kp.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            ks.load(null, null);
            ks.setKeyEntry("verifier", kp.getPrivate(), PASSWORD, new X509Certificate[] {cert});
            Files.createDirectories(dir);
            Path tmp = dir.resolve("tls.p12.tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ks.store(out, PASSWORD);
            }
            Files.move(tmp, p12, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        X509Certificate cert = (X509Certificate) ks.getCertificate("verifier");
        String pin = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
        Files.writeString(dir.resolve("verifier.pin"), pin + "\n");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(kmf.getKeyManagers(), null, null);
        return new ServerTls(tls, pin, kmf.getKeyManagers());
    }
}
