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
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
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
}
