package dev.attest.examples.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.ComponentId;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.LogEntry;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.MeasurementLog;
import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EatProfile;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.verify.Policy;
import dev.attest.verify.ReferenceValues;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service end to end over real HTTPS, and its dashboard rendered by headless Chromium
 * (Debian's package): two enrolled devices, one affirming and one whose configuration file was
 * changed; the rendered page shows both, with the finding. A screenshot is written to
 * target/dashboard.png.
 */
class DashboardIT {
    private static final String CHROMIUM = "/usr/bin/chromium";

    static byte[] evidence(SigningKey key, String config) throws Exception {
        MeasurementLog log = MeasurementLog.inMemory(DigestAlgorithm.SHA_256, "boot-1", 100);
        LogHead since = log.head();
        List<LogEntry> entries = log.append(List.of(
                Measurement.builder(ComponentId.of("/etc/app.conf"), Layer.CONFIGURATION).collector("file-digest")
                        .time(Instant.now()).digest(DigestAlgorithm.SHA_256.hash(config.getBytes(StandardCharsets.UTF_8))).build(),
                Measurement.builder(ComponentId.of("/opt/app/app.bin"), Layer.APPLICATION).collector("file-digest")
                        .time(Instant.now()).digest(DigestAlgorithm.SHA_256.hash("code".getBytes(StandardCharsets.UTF_8))).build()));
        return EvidenceEncoder.of(key).encode(EatClaims.builder().profile(EatProfile.PROFILE).iat(Instant.now())
                .measurementLog(since, entries, log.head()).build());
    }

    @Test
    void dashboardShowsDevicesTrustAndFindings(@TempDir Path dir) throws Exception {
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            String msg = "Debian chromium is not installed (.ci/setup.d/40-chromium.sh installs it)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(msg);
            }
            Assumptions.abort(msg);
        }
        SigningKey good = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("gw-good")));
        SigningKey bad = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("gw-tampered")));
        ReferenceValues refs = ReferenceValues.builder()
                .allow("/etc/app.conf", List.of(DigestAlgorithm.SHA_256.hash("mode = production".getBytes(StandardCharsets.UTF_8))))
                .allow("/opt/app/app.bin", List.of(DigestAlgorithm.SHA_256.hash("code".getBytes(StandardCharsets.UTF_8))))
                .require("/etc/app.conf").require("/opt/app/app.bin").build();
        try (VerifierMain.Running service = VerifierMain.start(dir.resolve("state"), new InetSocketAddress("127.0.0.1", 0),
                Optional.empty(), refs, Policy.defaults(), false)) {
            URI base = URI.create("https://127.0.0.1:" + service.port());
            HttpClient http = HttpClient.newBuilder().sslContext(trusting(dir.resolve("state/tls.p12"))).build();
            for (SigningKey k : List.of(good, bad)) {
                String id = k.keyId().orElseThrow().toString();
                // gw-good enrols with a certificate (its key is pinned), gw-tampered with a bare key.
                String credential = k == good ? certificatePem(k) : Pem.publicKey(k.verificationKey().orElseThrow().publicKey());
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/devices"))
                        .header("Authorization", "Bearer " + service.adminToken())
                        .POST(HttpRequest.BodyPublishers.ofString("{\"device\":\"" + id + "\",\"key\":"
                                + quote(credential) + "}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(201, r.statusCode(), r.body());
            }
            for (Object[] d : new Object[][] {{good, "mode = production"}, {bad, "mode = debug"}}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/evidence"))
                        .header("Content-Type", "application/eat+cwt")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(evidence((SigningKey) d[0], (String) d[1]))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(3, r.body().split("\\.").length, "an EAR JWT comes back");
            }
            String spki = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(certificate(dir.resolve("state/tls.p12")).getPublicKey().getEncoded()));
            String page = base + "/#viewer=" + service.viewerToken();
            String dom = chromium(dir, spki, "--dump-dom", page);
            assertTrue(dom.contains("data-device=\"gw-good\""), dom);
            String goodRow = row(dom, "gw-good");
            String badRow = row(dom, "gw-tampered");
            assertTrue(goodRow.contains("badge affirming"), goodRow);
            assertTrue(goodRow.contains("instance-identity 2"), goodRow);
            assertTrue(badRow.contains("badge contraindicated"), badRow);
            assertTrue(badRow.contains("reference.digest /etc/app.conf"), badRow);
            // The overview: counts by status, the latest contraindication.
            assertTrue(dom.contains("id=\"count-affirming\">1<"), dom);
            assertTrue(dom.contains("id=\"count-contraindicated\">1<"), dom);
            assertTrue(dom.contains("id=\"count-stale\">0<"), dom);
            String latest = dom.substring(dom.indexOf("id=\"contraindications\""));
            assertTrue(latest.substring(0, latest.indexOf("</ul>")).contains("gw-tampered"), latest);
            Path png = Path.of("target", "dashboard.png").toAbsolutePath();
            Files.deleteIfExists(png);
            chromium(dir, spki, "--screenshot=" + png, "--window-size=1280,900", page);
            assertTrue(Files.size(png) > 10_000, "screenshot written");
            System.out.println("dashboard screenshot: " + png);
            // The tampered device's page: its history as a timeline, each appraisal with its
            // findings and its signed EAR. A second evidence, with the file restored, first.
            HttpResponse<String> again = http.send(HttpRequest.newBuilder(base.resolve("/v1/evidence"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(evidence(bad, "mode = production"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, again.statusCode(), again.body());
            String devicePage = base + "/#viewer=" + service.viewerToken() + "&device=gw-tampered";
            String deviceDom = chromium(dir, spki, "--dump-dom", devicePage);
            assertTrue(deviceDom.contains("id=\"timeline\""), deviceDom);
            assertEquals(2, deviceDom.split("class=\"point ").length - 1, deviceDom);
            assertTrue(deviceDom.contains("class=\"point contraindicated\""), deviceDom);
            assertEquals(2, deviceDom.split("<tr data-sequence=").length - 1, deviceDom);
            assertTrue(deviceDom.contains("reference.digest /etc/app.conf"), deviceDom);
            assertEquals(2, deviceDom.split("<summary>JWT</summary>").length - 1, deviceDom);
            Path devicePng = Path.of("target", "dashboard-device.png").toAbsolutePath();
            Files.deleteIfExists(devicePng);
            chromium(dir, spki, "--screenshot=" + devicePng, "--window-size=1280,720", devicePage);
            assertTrue(Files.size(devicePng) > 10_000, "device page screenshot written");
            System.out.println("device page screenshot: " + devicePng);
            // Without the viewer token, or with the admin token, the page shows no device.
            for (String address : List.of(base + "/", base + "/#viewer=" + service.adminToken())) {
                String locked = chromium(dir, spki, "--dump-dom", address);
                assertTrue(locked.contains("id=\"locked\""), locked);
                assertTrue(!locked.contains("gw-good") && !locked.contains("gw-tampered"), locked);
            }
        }
    }

    /** A self-signed certificate carrying the device's public key (the issuing CA is out of scope here). */
    private static String certificatePem(SigningKey k) throws Exception {
        java.security.PublicKey pub = k.verificationKey().orElseThrow().publicKey();
        org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("CN=gw-good");
        var b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.ONE,
                java.util.Date.from(Instant.now().minusSeconds(60)), java.util.Date.from(Instant.now().plusSeconds(3600)),
                name, pub);
        X509Certificate cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                b.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(k.privateKey())));
        return Pem.certificate(cert);
    }

    private static String row(String dom, String device) {
        int i = dom.indexOf("data-device=\"" + device + "\"");
        assertTrue(i >= 0, dom);
        int end = dom.indexOf("</tr>", i);
        return dom.substring(i, end);
    }

    static String chromium(Path dir, String spki, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + dir.resolve("chromium-profile"),
                "--ignore-certificate-errors-spki-list=" + spki, "--virtual-time-budget=4000"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.err").toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finished");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("chromium.err")));
        return new String(out, StandardCharsets.UTF_8);
    }

    static X509Certificate certificate(Path p12) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "attest-demo".toCharArray());
        }
        return (X509Certificate) ks.getCertificate("verifier");
    }

    static SSLContext trusting(Path p12) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("verifier", certificate(p12));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        SSLContext c = SSLContext.getInstance("TLSv1.3");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
