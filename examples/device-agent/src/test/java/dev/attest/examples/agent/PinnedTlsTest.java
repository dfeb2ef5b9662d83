package dev.attest.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 on loopback: a keytool certificate, the JDK's HTTPS server, the JDK's client. */
class PinnedTlsTest {
    @TempDir
    Path dir;

    private TestVerifier server;
    private X509Certificate cert;
    private String url;

    @BeforeEach
    void start() throws Exception {
        server = new TestVerifier(dir);
        server.start();
        cert = server.cert;
        url = server.uri() + "/v1/challenge";
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private String get(SSLContext ctx) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(ctx).build();
        return client.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void thePinnedKeyConnects() throws Exception {
        String pin = HexFormat.of().formatHex(PinnedTls.spkiSha256(cert));
        assertTrue(get(PinnedTls.pinned(List.of("00".repeat(32), pin))).startsWith("{\"nonce\":"));
    }

    @Test
    void anyOtherKeyIsRefused() {
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> get(PinnedTls.pinned(List.of("11".repeat(32)))));
        assertTrue(String.valueOf(e.getMessage()).contains("is not pinned")
                || String.valueOf(e.getCause()).contains("is not pinned"), String.valueOf(e));
    }

    @Test
    void aConfiguredCaConnectsAndTheDefaultTrustDoesNot() throws Exception {
        KeyStore cas = KeyStore.getInstance("PKCS12");
        cas.load(null, null);
        cas.setCertificateEntry("verifier", cert);
        assertTrue(get(PinnedTls.ca(cas)).startsWith("{\"nonce\":"));
        assertThrows(SSLHandshakeException.class, () -> get(SSLContext.getDefault()));
    }

    @Test
    void malformedPinsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> PinnedTls.pinned(List.of()));
        assertThrows(IllegalArgumentException.class, () -> PinnedTls.pinned(List.of("abcd")));
    }

    /** A key pair and its self-signed certificate, from keytool. */
    private KeyStore keytool(String name) throws Exception {
        Path ks = dir.resolve(name + ".p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "k", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        return store;
    }

    @Test
    void aClientCertificateMustCertifyItsKey() throws Exception {
        KeyStore a = keytool("agent-a");
        KeyStore b = keytool("agent-b");
        PrivateKey keyA = (PrivateKey) a.getKey("k", "changeit".toCharArray());
        X509Certificate certA = (X509Certificate) a.getCertificate("k");
        X509Certificate certB = (X509Certificate) b.getCertificate("k");
        assertEquals("ClientCertificate[CN=agent-a]", new PinnedTls.ClientCertificate(keyA, List.of(certA)).toString());
        assertEquals("the client certificate does not certify the client key", assertThrows(IllegalArgumentException.class,
                () -> new PinnedTls.ClientCertificate(keyA, List.of(certB))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PinnedTls.ClientCertificate(keyA, List.of()));

        String keyPem = dev.attest.evidence.Pem.privateKey(keyA);
        PinnedTls.ClientCertificate fromPem = PinnedTls.ClientCertificate.fromPem(keyPem, dev.attest.evidence.Pem.certificate(certA));
        assertEquals(certA, fromPem.chain().get(0));
        assertThrows(IllegalArgumentException.class,
                () -> PinnedTls.ClientCertificate.fromPem(keyPem, dev.attest.evidence.Pem.certificate(certB)));
        assertThrows(java.security.GeneralSecurityException.class,
                () -> PinnedTls.ClientCertificate.fromPem("-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE KEY-----\n",
                        dev.attest.evidence.Pem.certificate(certA)));
        // A server that asks gets the client certificate; one that does not (this one) connects as before.
        assertTrue(get(PinnedTls.pinned(List.of(HexFormat.of().formatHex(PinnedTls.spkiSha256(cert))), Optional.of(fromPem)))
                .startsWith("{\"nonce\":"));
    }
}
