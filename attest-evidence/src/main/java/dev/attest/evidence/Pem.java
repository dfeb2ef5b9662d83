package dev.attest.evidence;

import dev.attest.evidence.EvidenceException.Reason;
import dev.attest.evidence.internal.Crypto;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Keys and certificates in PEM: PKCS#8 ({@code PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}),
 * SubjectPublicKeyInfo ({@code PUBLIC KEY}) and X.509 ({@code CERTIFICATE}), through Bouncy
 * Castle PKIX (RFC 7468). Encrypted private keys are refused: decrypt them with the tool that
 * made them. Error messages never contain key material.
 */
public final class Pem {
    /** PEM input larger than this is refused. */
    public static final int MAX_PEM_CHARS = 1 << 20;

    private Pem() {
    }

    /**
     * The first key pair or private key in {@code pem}; a bare private key yields no public half.
     *
     * @param pem the PEM text, at most {@link #MAX_PEM_CHARS} characters
     * @return the private key
     * @throws EvidenceException BAD_KEY for malformed or oversized input, or when it holds no usable
     *     unencrypted private key
     */
    public static PrivateKey privateKey(String pem) throws EvidenceException {
        for (Object o : objects(pem)) {
            try {
                JcaPEMKeyConverter c = new JcaPEMKeyConverter().setProvider(Crypto.DEFAULT_PROVIDER);
                if (o instanceof PEMKeyPair kp) {
                    return c.getPrivateKey(kp.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo pki) {
                    return c.getPrivateKey(pki);
                }
            } catch (IOException e) {
                throw new EvidenceException(Reason.BAD_KEY, "unusable private key: " + e.getClass().getSimpleName());
            }
        }
        throw new EvidenceException(Reason.BAD_KEY, "no unencrypted private key in the PEM input");
    }

    /**
     * The key pair in {@code pem}: a SEC1 key with its public half, or a private key followed by
     * its {@code PUBLIC KEY} block.
     *
     * @param pem the PEM text, at most {@link #MAX_PEM_CHARS} characters
     * @return the key pair
     * @throws EvidenceException BAD_KEY for malformed or oversized input, or when it lacks a usable private
     *     key and its public key
     */
    public static KeyPair keyPair(String pem) throws EvidenceException {
        PrivateKey priv = null;
        PublicKey pub = null;
        JcaPEMKeyConverter c = new JcaPEMKeyConverter().setProvider(Crypto.DEFAULT_PROVIDER);
        for (Object o : objects(pem)) {
            try {
                if (o instanceof PEMKeyPair kp && kp.getPublicKeyInfo() != null) {
                    return c.getKeyPair(kp);
                } else if (o instanceof PrivateKeyInfo pki) {
                    priv = c.getPrivateKey(pki);
                } else if (o instanceof SubjectPublicKeyInfo spki) {
                    pub = c.getPublicKey(spki);
                }
            } catch (IOException e) {
                throw new EvidenceException(Reason.BAD_KEY, "unusable key: " + e.getClass().getSimpleName());
            }
        }
        if (priv == null || pub == null) {
            throw new EvidenceException(Reason.BAD_KEY, "PEM input needs a private key and its public key");
        }
        return new KeyPair(pub, priv);
    }

    /**
     * The first public key in {@code pem}, from a {@code PUBLIC KEY} or {@code CERTIFICATE} block.
     *
     * @param pem the PEM text, at most {@link #MAX_PEM_CHARS} characters
     * @return the public key
     * @throws EvidenceException BAD_KEY for malformed or oversized input, or when it holds no usable public
     *     key or certificate
     */
    public static PublicKey publicKey(String pem) throws EvidenceException {
        for (Object o : objects(pem)) {
            try {
                if (o instanceof SubjectPublicKeyInfo spki) {
                    return new JcaPEMKeyConverter().setProvider(Crypto.DEFAULT_PROVIDER).getPublicKey(spki);
                }
                if (o instanceof X509CertificateHolder) {
                    return certificates(pem).get(0).getPublicKey();
                }
            } catch (IOException e) {
                throw new EvidenceException(Reason.BAD_KEY, "unusable public key: " + e.getClass().getSimpleName());
            }
        }
        throw new EvidenceException(Reason.BAD_KEY, "no public key or certificate in the PEM input");
    }

    /**
     * Every certificate in {@code pem}, in order.
     *
     * @param pem the PEM text, at most {@link #MAX_PEM_CHARS} characters
     * @return the certificates; never empty
     * @throws EvidenceException BAD_CERTIFICATE when it holds no certificate or an unusable one; BAD_KEY for
     *     malformed or oversized input
     */
    public static List<X509Certificate> certificates(String pem) throws EvidenceException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509", Crypto.DEFAULT_PROVIDER);
            for (Object o : objects(pem)) {
                if (o instanceof X509CertificateHolder h) {
                    out.add((X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(h.getEncoded())));
                }
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new EvidenceException(Reason.BAD_CERTIFICATE, "unusable certificate: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new EvidenceException(Reason.BAD_CERTIFICATE, "no certificate in the PEM input");
        }
        return out;
    }

    /**
     * {@code key} as a PKCS#8 {@code PRIVATE KEY} block.
     *
     * @param key the private key
     * @return the PEM block
     */
    public static String privateKey(PrivateKey key) {
        return write("PRIVATE KEY", key.getEncoded());
    }

    /**
     * {@code key} as a SubjectPublicKeyInfo {@code PUBLIC KEY} block.
     *
     * @param key the public key
     * @return the PEM block
     */
    public static String publicKey(PublicKey key) {
        return write("PUBLIC KEY", key.getEncoded());
    }

    /**
     * {@code cert} as a {@code CERTIFICATE} block.
     *
     * @param cert the certificate
     * @return the PEM block
     */
    public static String certificate(X509Certificate cert) {
        try {
            return write("CERTIFICATE", cert.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    private static String write(String type, byte[] der) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sw.toString();
    }

    private static List<Object> objects(String pem) throws EvidenceException {
        if (pem.length() > MAX_PEM_CHARS) {
            throw new EvidenceException(Reason.BAD_KEY, "PEM input larger than " + MAX_PEM_CHARS + " characters");
        }
        List<Object> out = new ArrayList<>();
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                out.add(o);
            }
        } catch (IOException | RuntimeException e) {
            // PEMParser reports malformed base64 / DER with assorted runtime exceptions.
            throw new EvidenceException(Reason.BAD_KEY, "malformed PEM: " + e.getClass().getSimpleName());
        }
        return out;
    }
}
