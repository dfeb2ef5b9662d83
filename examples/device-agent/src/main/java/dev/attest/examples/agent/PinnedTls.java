package dev.attest.examples.agent;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS trust for the agent's outgoing connections: either the verifier's public key is pinned
 * (SHA-256 of its certificate's SubjectPublicKeyInfo, as in RFC 7469), or its certificate chain
 * must lead to a configured CA. Host names are still checked by the HTTP client in both modes.
 * There is no "trust all" mode and no trust on first use.
 */
public final class PinnedTls {
    private PinnedTls() {
    }

    /** An SSL context that accepts only servers whose leaf key hashes to one of {@code pins} (hex). */
    public static SSLContext pinned(List<String> pins) throws GeneralSecurityException {
        if (pins.isEmpty()) {
            throw new IllegalArgumentException("at least one pin is required");
        }
        List<byte[]> raw = pins.stream().map(p -> HexFormat.of().parseHex(p.toLowerCase(Locale.ROOT))).toList();
        for (byte[] r : raw) {
            if (r.length != 32) {
                throw new IllegalArgumentException("a pin is the 32-byte SHA-256 of a SubjectPublicKeyInfo, in hex");
            }
        }
        X509TrustManager tm = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("the agent does not accept client connections");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                if (chain == null || chain.length == 0) {
                    throw new CertificateException("no server certificate");
                }
                chain[0].checkValidity();
                byte[] actual = spkiSha256(chain[0]);
                boolean ok = false;
                for (byte[] pin : raw) {
                    ok |= MessageDigest.isEqual(pin, actual);
                }
                if (!ok) {
                    throw new CertificateException("server key " + HexFormat.of().formatHex(actual) + " is not pinned");
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, new TrustManager[] {tm}, new SecureRandom());
        return ctx;
    }

    /** An SSL context that accepts servers whose chain leads to a certificate in {@code cas}. */
    public static SSLContext ca(KeyStore cas) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(cas);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    /** SHA-256 of a certificate's SubjectPublicKeyInfo: the value to pin. */
    public static byte[] spkiSha256(X509Certificate cert) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
