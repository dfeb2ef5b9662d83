package dev.attest.bench.verify;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A lean HTTP/1.1 client for the load generator: one keep-alive TLS 1.3 connection to a service on
 * the loopback interface, trusting only the service's own certificate and checking that it names
 * the address connected to (endpoint identification "HTTPS", RFC 2818 §3.1). Requests are written
 * as prepared bytes; a response is read strictly: a status line, headers, and a body of exactly
 * {@code Content-Length} bytes (bounded; chunked or unframed bodies are refused). It is
 * measurement equipment: the point is that it spends little of the CPU the service is measured
 * on, where {@code java.net.http.HttpClient} spent about half of what the service did.
 * Not thread-safe: one per client thread.
 */
final class LoopbackHttps implements AutoCloseable {
    /** Largest response body read. */
    static final int MAX_BODY = 1 << 20;
    private static final int MAX_HEAD = 16 * 1024;

    /** A response: its status and body. */
    record Response(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final SSLContext tls;
    private final InetAddress address;
    private final int port;
    private final int timeoutMillis;
    private SSLSocket socket;
    private OutputStream out;
    private InputStream in;
    private final byte[] head = new byte[MAX_HEAD];

    /**
     * @param address a loopback address (anything else is refused: the generator stays on this machine)
     */
    LoopbackHttps(SSLContext tls, InetAddress address, int port, int timeoutMillis) {
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("the load generator drives loopback addresses only: " + address);
        }
        this.tls = tls;
        this.address = address;
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    /** An SSL context that trusts {@code certificate} alone, TLS 1.3 only. */
    static SSLContext trusting(X509Certificate certificate) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("service", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        SSLContext c = SSLContext.getInstance("TLSv1.3");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    /** The request bytes of {@code method path} with {@code body} and extra header lines (each ending CRLF). */
    byte[] request(String method, String path, String contentType, String headers, byte[] body) {
        byte[] h = (method + " " + path + " HTTP/1.1\r\nHost: " + address.getHostAddress() + ":" + port
                + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n" + headers + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] r = new byte[h.length + body.length];
        System.arraycopy(h, 0, r, 0, h.length);
        System.arraycopy(body, 0, r, h.length, body.length);
        return r;
    }

    /** Sends a prepared request on the kept connection (opening it first if needed) and reads the answer. */
    Response exchange(byte[] request) throws IOException {
        if (socket == null) {
            connect();
        }
        out.write(request);
        out.flush();
        return read();
    }

    private void connect() throws IOException {
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(address, port);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.setTcpNoDelay(true);
        s.setSoTimeout(timeoutMillis);
        s.startHandshake();
        socket = s;
        out = s.getOutputStream();
        in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
    }

    private Response read() throws IOException {
        int n = 0;
        while (n < 4 || head[n - 4] != '\r' || head[n - 3] != '\n' || head[n - 2] != '\r' || head[n - 1] != '\n') {
            if (n == MAX_HEAD) {
                throw new IOException("response head longer than " + MAX_HEAD + " bytes");
            }
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before a complete response head");
            }
            head[n++] = (byte) b;
        }
        String[] lines = new String(head, 0, n - 4, StandardCharsets.ISO_8859_1).split("\r\n", -1);
        if (!lines[0].startsWith("HTTP/1.1 ") || lines[0].length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + lines[0]);
        }
        int status = Integer.parseInt(lines[0].substring(9, 12));
        int length = -1;
        boolean close = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + lines[i]);
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> {
                    if (length >= 0) {
                        throw new IOException("two Content-Length headers");
                    }
                    length = Integer.parseInt(value);
                }
                case "transfer-encoding" -> throw new IOException("Transfer-Encoding " + value + " not expected");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> {
                }
            }
        }
        if (length < 0 && status != 204 && status != 304) {
            throw new IOException("HTTP " + status + " without Content-Length");
        }
        if (length > MAX_BODY) {
            throw new IOException("response body of " + length + " bytes");
        }
        byte[] body = in.readNBytes(Math.max(length, 0));
        if (body.length < length) {
            throw new IOException("connection closed within the response body");
        }
        if (close) {
            close();
        }
        return new Response(status, body);
    }

    /**
     * The status a signed EAR (a JWT) gives every one of its submodules, if all agree; the text
     * {@code "mixed"} or {@code "none found"} otherwise. Reads the claims' JSON without a parser:
     * each {@code "ear.status":"X"} member (the service writes compact JSON).
     */
    static String earStatus(byte[] jwt) {
        int d1 = indexOf(jwt, (byte) '.', 0);
        int d2 = d1 < 0 ? -1 : indexOf(jwt, (byte) '.', d1 + 1);
        if (d1 < 0 || d2 < 0) {
            return "not a JWT";
        }
        byte[] claims;
        try {
            claims = Base64.getUrlDecoder().decode(java.util.Arrays.copyOfRange(jwt, d1 + 1, d2));
        } catch (IllegalArgumentException e) {
            return "claims not base64url";
        }
        byte[] key = "\"ear.status\":\"".getBytes(StandardCharsets.US_ASCII);
        String status = null;
        for (int at = indexOf(claims, key, 0); at >= 0; at = indexOf(claims, key, at + key.length)) {
            int start = at + key.length;
            int end = indexOf(claims, (byte) '"', start);
            if (end < 0) {
                return "unterminated ear.status";
            }
            String s = new String(claims, start, end - start, StandardCharsets.US_ASCII);
            if (status != null && !status.equals(s)) {
                return "mixed";
            }
            status = s;
        }
        return status == null ? "none found" : status;
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] a, byte[] b, int from) {
        outer:
        for (int i = from; i <= a.length - b.length; i++) {
            for (int j = 0; j < b.length; j++) {
                if (a[i + j] != b[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            SSLSocket s = socket;
            socket = null;
            s.close();
        }
    }
}
