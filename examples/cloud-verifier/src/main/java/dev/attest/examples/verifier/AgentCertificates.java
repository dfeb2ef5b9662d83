package dev.attest.examples.verifier;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Mutual TLS for agents ({@code --agent-ca FILE}): the CA that signs the agents' client
 * certificates, how the server's TLS asks for them, and which device a verified client certificate
 * speaks for.
 *
 * <ul>
 * <li>The server <em>asks</em> every client for a certificate issued by the agent CA (TLS
 *     {@code want}, not {@code need}), so browsers and scrapers reach the viewer and admin
 *     endpoints as before. A client that presents a certificate which does not chain to the agent
 *     CA (another CA, expired, self-signed, without the {@code clientAuth} extended key usage when
 *     it has one) fails the handshake: JSSE's PKIX trust manager refuses it before any HTTP.
 * <li>The device endpoints then require one: the certificate's subject must hold exactly one
 *     common name (CN), and that is the device it speaks for. The device id travels in the CN
 *     because the certificate's key is a TLS key, separate from the device's evidence signing key
 *     (which may live in a TPM and should sign nothing but evidence).
 * </ul>
 * Revocation (CRL, OCSP) is not checked: a leaked agent certificate alone gets nothing appraised,
 * the evidence still has to be signed by the device's enrolled key; to withdraw every agent
 * certificate, replace the agent CA.
 */
final class AgentCertificates {
    private final KeyStore anchors;

    private AgentCertificates(KeyStore anchors) {
        this.anchors = anchors;
    }

    /**
     * Reads the agent CA certificates (PEM, one or more); each must be a CA certificate (basic
     * constraints with {@code cA} true).
     *
     * @throws IllegalArgumentException when the file holds no certificate or one that is no CA
     */
    static AgentCertificates load(Path pem) throws IOException, GeneralSecurityException {
        List<X509Certificate> cas = new ArrayList<>();
        try (InputStream in = Files.newInputStream(pem)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                cas.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(pem + ": not PEM certificates (" + e.getMessage() + ")", e);
        }
        if (cas.isEmpty()) {
            throw new IllegalArgumentException(pem + ": no certificate");
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
            if (cas.get(i).getBasicConstraints() < 0) {
                throw new IllegalArgumentException(pem + ": certificate " + (i + 1) + " ("
                        + cas.get(i).getSubjectX500Principal() + ") is not a CA certificate");
            }
            ks.setCertificateEntry("agent-ca-" + i, cas.get(i));
        }
        return new AgentCertificates(ks);
    }

    /** The server's TLS context: its own key, and the agent CA as the only anchor for client certificates. */
    SSLContext context(KeyManager[] serverKey) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(anchors);
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(serverKey, tmf.getTrustManagers(), new SecureRandom());
        return tls;
    }

    /** {@code context}'s defaults, asking clients for a certificate without requiring one. */
    static SSLParameters parameters(SSLContext context) {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setWantClientAuth(true);
        return p;
    }

    /**
     * The device a client certificate chain speaks for: the single CN of the leaf's subject, if
     * the leaf is valid at {@code now}. The chain was verified against the agent CA in the
     * handshake; the validity is checked again because a kept-alive or resumed session can
     * outlive the certificate.
     *
     * @param peer the verified peer chain, leaf first; empty when the client sent none
     * @return the device id, or empty when there is no usable certificate
     */
    static Optional<String> device(List<? extends Certificate> peer, Instant now) {
        if (peer.isEmpty() || !(peer.get(0) instanceof X509Certificate leaf)) {
            return Optional.empty();
        }
        try {
            leaf.checkValidity(Date.from(now));
        } catch (CertificateException e) {
            return Optional.empty();
        }
        RDN[] cns = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        if (cns.length != 1 || cns[0].isMultiValued() || !(cns[0].getFirst().getValue() instanceof ASN1String s)) {
            return Optional.empty();
        }
        String id = s.getString();
        return id.matches(HttpApi.DEVICE_ID) ? Optional.of(id) : Optional.empty();
    }
}
