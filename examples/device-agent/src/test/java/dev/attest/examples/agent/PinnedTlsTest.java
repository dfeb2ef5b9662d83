package dev.attest.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
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

    private HttpsServer server;
    private X509Certificate cert;
    private String url;

    @BeforeEach
    void start() throws Exception {
        Path ks = dir.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "verifier", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=attest test verifier", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        cert = (X509Certificate) store.getCertificate("verifier");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/v1/ping", ex -> {
            byte[] body = "pong".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        url = "https://127.0.0.1:" + server.getAddress().getPort() + "/v1/ping";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String get(SSLContext ctx) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(ctx).build();
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void thePinnedKeyConnects() throws Exception {
        String pin = HexFormat.of().formatHex(PinnedTls.spkiSha256(cert));
        assertEquals("pong", get(PinnedTls.pinned(List.of("00".repeat(32), pin))));
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
        assertEquals("pong", get(PinnedTls.ca(cas)));
        assertThrows(SSLHandshakeException.class, () -> get(SSLContext.getDefault()));
    }

    @Test
    void malformedPinsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> PinnedTls.pinned(List.of()));
        assertThrows(IllegalArgumentException.class, () -> PinnedTls.pinned(List.of("abcd")));
    }
}
