package dev.attest.cli;

import dev.attest.evidence.KeyId;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Device keys in PKCS#12 (RFC 7292), as the JDK writes it (AES-256 and PBKDF2 since JDK 17.0.x
 * defaults; HMAC-SHA256 integrity). A private key entry needs a certificate: keygen makes a
 * self-signed one (subject {@code CN=<kid>}, ten years) only to carry the public key; it names
 * nothing a verifier should trust. The entry's alias is the kid.
 */
final class Pkcs12Files {
    /** Bouncy Castle as an instance for certificate signing only; never registered globally. */
    private static final Provider BC = new BouncyCastleProvider();

    private Pkcs12Files() {
    }

    static byte[] write(KeyPair pair, SignatureAlgorithm alg, KeyId kid, char[] password) throws InputException {
        try {
            X500Name name = new X500Name("CN=" + kid.toString().replaceAll("[,+=\"\\\\<>;#]", "_"));
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            JcaX509v3CertificateBuilder cb = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(3650, ChronoUnit.DAYS)), name,
                    pair.getPublic());
            X509Certificate cert = new JcaX509CertificateConverter().setProvider(BC)
                    .getCertificate(cb.build(new JcaContentSignerBuilder(certSignature(alg)).setProvider(BC)
                            .build(pair.getPrivate())));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(kid.toString(), pair.getPrivate(), password, new Certificate[] {cert});
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ks.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new InputException("cannot write PKCS#12 (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Whether {@code raw} looks like a DER SEQUENCE (PKCS#12 PFX), not PEM or a COSE_Key map. */
    static boolean looksLikePkcs12(byte[] raw) {
        return raw.length > 4 && raw[0] == 0x30;
    }

    static SigningKey read(Path p, byte[] raw, char[] password, Optional<KeyId> kid) throws InputException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(raw), password);
            List<String> aliases = Collections.list(ks.aliases()).stream().filter(a -> {
                try {
                    return ks.isKeyEntry(a);
                } catch (GeneralSecurityException e) {
                    return false;
                }
            }).toList();
            if (aliases.size() != 1) {
                throw new InputException(p + ": PKCS#12 must hold exactly one private key, found " + aliases.size());
            }
            String alias = aliases.get(0);
            if (!(ks.getKey(alias, password) instanceof PrivateKey priv)) {
                throw new InputException(p + ": PKCS#12 entry " + alias + " is not a private key");
            }
            Certificate cert = ks.getCertificate(alias);
            if (cert == null) {
                throw new InputException(p + ": PKCS#12 entry " + alias + " has no certificate with its public key");
            }
            KeyPair pair = new KeyPair(cert.getPublicKey(), priv);
            SignatureAlgorithm alg = KeyFiles.algorithmOf(pair.getPublic(), p);
            return SigningKey.of(pair, alg, Optional.of(kid.orElse(KeyId.of(alias))));
        } catch (IOException e) {
            throw new InputException(p + ": wrong password or damaged PKCS#12", e);
        } catch (GeneralSecurityException e) {
            throw new InputException(p + ": unusable PKCS#12 (" + e.getClass().getSimpleName() + ")", e);
        } catch (IllegalArgumentException e) {
            throw new InputException(p + ": unusable key: " + e.getMessage(), e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** The password: the first line of {@code file}, not empty. */
    static char[] password(Path file) throws InputException {
        String text = InputFiles.text(file, 4096);
        int nl = text.indexOf('\n');
        String line = (nl < 0 ? text : text.substring(0, nl)).replace("\r", "");
        if (line.isEmpty()) {
            throw new InputException(file + ": the password (first line) is empty");
        }
        return line.toCharArray();
    }

    private static String certSignature(SignatureAlgorithm alg) {
        return switch (alg) {
            case ES256 -> "SHA256withECDSA";
            case ES384 -> "SHA384withECDSA";
            case ES512 -> "SHA512withECDSA";
            case EDDSA -> "Ed25519";
            case PS256 -> "SHA256withRSAandMGF1";
        };
    }
}
