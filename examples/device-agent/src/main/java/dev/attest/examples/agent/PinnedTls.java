package dev.attest.examples.agent;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Optional;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS trust for the agent's outgoing connections: either the verifier's public key is pinned
 * (SHA-256 of its certificate's SubjectPublicKeyInfo, as in RFC 7469), or its certificate chain
 * must lead to a configured CA. Host names are still checked by the HTTP client in both modes.
 * There is no "trust all" mode and no trust on first use. Optionally the agent authenticates
 * itself with a {@link ClientCertificate} (mutual TLS), to a verifier that requires one.
 */
public final class PinnedTls {
    private PinnedTls() {
    }

    /**
     * The agent's TLS client identity: a private key and its certificate chain, leaf first. The
     * leaf's subject CN is the device id (what the cloud verifier's {@code --agent-ca} checks).
     * This key is for TLS only, never the device's evidence signing key.
     *
     * @param key the private key (EC, RSA or EdDSA)
     * @param chain the certificate chain, leaf first; the leaf certifies {@code key}
     */
    public record ClientCertificate(PrivateKey key, List<X509Certificate> chain) {
        /**
         * Checks that the leaf certifies {@code key} (a test signature verifies with the leaf's key).
         *
         * @throws IllegalArgumentException if the chain is empty or its leaf holds another key
         */
        public ClientCertificate {
            chain = List.copyOf(chain);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("a client certificate chain needs at least the leaf");
            }
            if (!certifies(chain.get(0), key)) {
                throw new IllegalArgumentException("the client certificate does not certify the client key");
            }
        }

        /**
         * Reads a PKCS#8 PEM key and a PEM certificate chain (leaf first).
         *
         * @param keyPem the {@code PRIVATE KEY} block
         * @param chainPem the {@code CERTIFICATE} blocks
         * @return the identity
         * @throws GeneralSecurityException if either does not parse
         * @throws IllegalArgumentException if the certificate does not certify the key
         */
        public static ClientCertificate fromPem(String keyPem, String chainPem) throws GeneralSecurityException {
            List<X509Certificate> chain = new ArrayList<>();
            for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(chainPem.getBytes(StandardCharsets.US_ASCII)))) {
                chain.add((X509Certificate) c);
            }
            if (chain.isEmpty()) {
                throw new GeneralSecurityException("no certificate in the client certificate file");
            }
            String body = keyPem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            if (!keyPem.contains("-----BEGIN PRIVATE KEY-----")) {
                throw new GeneralSecurityException("the client key must be a PKCS#8 PEM (BEGIN PRIVATE KEY) block");
            }
            byte[] der;
            try {
                der = Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw new GeneralSecurityException("the client key is not base64 PEM");
            }
            // The key's algorithm is the certificate's: a JDK key object, which JSSE signs with.
            String alg = chain.get(0).getPublicKey().getAlgorithm();
            PrivateKey key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            return new ClientCertificate(key, chain);
        }

        /** Names the leaf's subject, never the key. */
        @Override
        public String toString() {
            return "ClientCertificate[" + chain.get(0).getSubjectX500Principal() + "]";
        }

        private static boolean certifies(X509Certificate leaf, PrivateKey key) {
            String alg = switch (key.getAlgorithm()) {
                case "EC" -> "SHA256withECDSA";
                case "RSA" -> "SHA256withRSA";
                case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
                default -> throw new IllegalArgumentException("client keys are EC, RSA or EdDSA, not " + key.getAlgorithm());
            };
            try {
                byte[] probe = new byte[32];
                new SecureRandom().nextBytes(probe);
                Signature s = Signature.getInstance(alg);
                s.initSign(key);
                s.update(probe);
                byte[] sig = s.sign();
                Signature v = Signature.getInstance(alg);
                v.initVerify(leaf.getPublicKey());
                v.update(probe);
                return v.verify(sig);
            } catch (GeneralSecurityException e) {
                return false;
            }
        }

        /**
         * Key managers that offer this identity to every server that asks, whichever CAs it names
         * (a verifier that does not trust it refuses the handshake, which the agent then reports),
         * and never act as a server.
         */
        KeyManager[] keyManagers() {
            String alias = "agent";
            PrivateKey k = key;
            X509Certificate[] c = chain.toArray(new X509Certificate[0]);
            return new KeyManager[] {new X509ExtendedKeyManager() {
                @Override
                public String[] getClientAliases(String keyType, Principal[] issuers) {
                    return keyType.equalsIgnoreCase(k.getAlgorithm()) ? new String[] {alias} : null;
                }

                @Override
                public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
                    return choose(keyTypes);
                }

                @Override
                public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
                    return choose(keyTypes);
                }

                private String choose(String[] keyTypes) {
                    for (String t : keyTypes) {
                        if (t.equalsIgnoreCase(k.getAlgorithm())) {
                            return alias;
                        }
                    }
                    return null;
                }

                @Override
                public String[] getServerAliases(String keyType, Principal[] issuers) {
                    return null;
                }

                @Override
                public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                    return null;
                }

                @Override
                public X509Certificate[] getCertificateChain(String a) {
                    return alias.equals(a) ? c.clone() : null;
                }

                @Override
                public PrivateKey getPrivateKey(String a) {
                    return alias.equals(a) ? k : null;
                }
            }};
        }
    }

    /** An SSL context that accepts only servers whose leaf key hashes to one of {@code pins} (hex). */
    public static SSLContext pinned(List<String> pins) throws GeneralSecurityException {
        return pinned(pins, Optional.empty());
    }

    /**
     * An SSL context that accepts only servers whose leaf key hashes to one of {@code pins} (hex),
     * and authenticates with {@code client} to a server that asks for a client certificate.
     */
    public static SSLContext pinned(List<String> pins, Optional<ClientCertificate> client)
            throws GeneralSecurityException {
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
        ctx.init(client.map(ClientCertificate::keyManagers).orElse(null), new TrustManager[] {tm}, new SecureRandom());
        return ctx;
    }

    /** An SSL context that accepts servers whose chain leads to a certificate in {@code cas}. */
    public static SSLContext ca(KeyStore cas) throws GeneralSecurityException {
        return ca(cas, Optional.empty());
    }

    /**
     * An SSL context that accepts servers whose chain leads to a certificate in {@code cas}, and
     * authenticates with {@code client} to a server that asks for a client certificate.
     */
    public static SSLContext ca(KeyStore cas, Optional<ClientCertificate> client) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(cas);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(client.map(ClientCertificate::keyManagers).orElse(null), tmf.getTrustManagers(), new SecureRandom());
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
