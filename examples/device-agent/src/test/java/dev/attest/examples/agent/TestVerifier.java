package dev.attest.examples.agent;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A real HTTPS endpoint on loopback that speaks the agent's protocol and records what arrives
 * (the cloud-verifier example is the full service). Its key comes from keytool; it can be stopped
 * and started again on the same port.
 */
final class TestVerifier implements AutoCloseable {
    final List<byte[]> received = new CopyOnWriteArrayList<>();
    final List<byte[]> nonces = new CopyOnWriteArrayList<>();
    final X509Certificate cert;
    /** What /v1/evidence answers; other than 200, the evidence is not recorded. */
    volatile int evidenceStatus = 200;
    private final SSLContext tls;
    private HttpsServer server;
    private int port;

    TestVerifier(Path dir) throws Exception {
        Path ks = dir.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "verifier", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=attest test verifier", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        cert = (X509Certificate) store.getCertificate("verifier");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(store, "changeit".toCharArray());
        tls = SSLContext.getInstance("TLSv1.3");
        tls.init(kmf.getKeyManagers(), null, null);
    }

    String pin() {
        return HexFormat.of().formatHex(PinnedTls.spkiSha256(cert));
    }

    java.net.URI uri() {
        return java.net.URI.create("https://127.0.0.1:" + port);
    }

    void start() throws Exception {
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/v1/evidence", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (evidenceStatus != 200) {
                ex.sendResponseHeaders(evidenceStatus, -1);
                ex.close();
                return;
            }
            received.add(body);
            byte[] answer = ("ok " + received.size()).getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.createContext("/v1/challenge", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] nonce = new byte[32];
            new java.security.SecureRandom().nextBytes(nonce);
            nonces.add(nonce);
            byte[] answer = ("{\"nonce\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(nonce) + "\"}")
                    .getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    void stop() {
        server.stop(0);
    }

    @Override
    public void close() {
        stop();
    }
}
