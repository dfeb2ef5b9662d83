package dev.attest.cli;

import dev.attest.evidence.CoseKey;
import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Optional;

/**
 * Device keys on disk: PEM (a {@code PUBLIC KEY} or {@code CERTIFICATE}; for signing, a PKCS#8
 * {@code PRIVATE KEY} followed by its {@code PUBLIC KEY}, as {@code attest keygen} writes) or a
 * COSE_Key (RFC 9052 §7). The algorithm follows from the key (P-256 ES256, P-384 ES384, P-521
 * ES512, Ed25519 EdDSA, RSA PS256). The kid is, in order: the one given on the command line, the
 * COSE_Key's, a PEM file's {@code attest-kid-hex:} line in the explanatory text before the first
 * block (RFC 7468 §5.2; keygen writes it), else the first 16 hex digits of the key's SPKI
 * SHA-256, which the device and the verifier derive alike.
 */
final class KeyFiles {
    private static final String KID_LABEL = "attest-kid-hex:";
    private KeyFiles() {
    }

    /** The {@code --kid} option as a key id (absent when not given); a bad one is unusable input. */
    static Optional<KeyId> kidOption(String kid) throws InputException {
        try {
            return kid == null ? Optional.empty() : Optional.of(KeyId.of(kid));
        } catch (IllegalArgumentException e) {
            throw new InputException("--kid: " + e.getMessage());
        }
    }

    static KeyId derivedKid(VerificationKey key) {
        return KeyId.of(key.fingerprint().substring(0, 16));
    }

    private static final java.util.regex.Pattern PEM_KID =
            java.util.regex.Pattern.compile("(?m)^" + KID_LABEL + " ?([0-9a-f]{2,128})\\s*$");

    /** The PEM explanatory line that names the kid ({@link #PEM_KID}). */
    static String pemKidLine(KeyId kid) {
        return KID_LABEL + " " + java.util.HexFormat.of().formatHex(kid.value()) + "\n";
    }

    private static Optional<KeyId> pemKid(String pem) {
        int begin = pem.indexOf("-----BEGIN ");
        java.util.regex.Matcher m = PEM_KID.matcher(begin < 0 ? pem : pem.substring(0, begin));
        if (!m.find() || m.group(1).length() % 2 != 0) {
            return Optional.empty();
        }
        return Optional.of(KeyId.of(java.util.HexFormat.of().parseHex(m.group(1))));
    }

    static VerificationKey publicKey(Path p, Optional<KeyId> kid) throws InputException {
        byte[] raw = InputFiles.bytes(p, InputFiles.MAX_CONFIG_BYTES);
        try {
            VerificationKey vk;
            if (isPem(raw)) {
                String pem = new String(raw, StandardCharsets.US_ASCII);
                PublicKey pk = Pem.publicKey(pem);
                vk = VerificationKey.of(pk, algorithmOf(pk, p), pemKid(pem));
            } else {
                vk = CoseKey.verificationKey(raw);
            }
            Optional<KeyId> id = kid.or(vk::keyId);
            return VerificationKey.of(vk.publicKey(), vk.algorithm(), Optional.of(id.orElse(derivedKid(vk))));
        } catch (EvidenceException e) {
            throw new InputException(p + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InputException(p + ": unusable key: " + e.getMessage(), e);
        }
    }

    static SigningKey signingKey(Path p, Optional<KeyId> kid) throws InputException {
        return signingKey(p, kid, Optional.empty());
    }

    /** As {@link #signingKey(Path, Optional)}, also reading PKCS#12 when a password file is given. */
    static SigningKey signingKey(Path p, Optional<KeyId> kid, Optional<Path> passwordFile) throws InputException {
        byte[] raw = InputFiles.bytes(p, InputFiles.MAX_CONFIG_BYTES);
        if (passwordFile.isPresent()) {
            return Pkcs12Files.read(p, raw, Pkcs12Files.password(passwordFile.get()), kid);
        }
        if (Pkcs12Files.looksLikePkcs12(raw)) {
            throw new InputException(p + ": looks like PKCS#12; give --password-file");
        }
        try {
            KeyPair pair;
            SignatureAlgorithm alg;
            Optional<KeyId> fileKid = Optional.empty();
            if (isPem(raw)) {
                String pem = new String(raw, StandardCharsets.US_ASCII);
                pair = Pem.keyPair(pem);
                alg = algorithmOf(pair.getPublic(), p);
                fileKid = pemKid(pem);
            } else {
                SigningKey sk = CoseKey.signingKey(raw);
                VerificationKey vk = sk.verificationKey().orElseThrow();
                pair = new KeyPair(vk.publicKey(), sk.privateKey());
                alg = sk.algorithm();
                fileKid = sk.keyId();
            }
            VerificationKey vk = VerificationKey.of(pair.getPublic(), alg, Optional.empty());
            KeyId id = kid.orElse(fileKid.orElse(derivedKid(vk)));
            return SigningKey.of(pair, alg, Optional.of(id));
        } catch (EvidenceException e) {
            throw new InputException(p + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InputException(p + ": unusable key: " + e.getMessage(), e);
        }
    }

    static SignatureAlgorithm algorithmOf(PublicKey pk, Path p) throws InputException {
        if (pk instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return switch (bits) {
                case 256 -> SignatureAlgorithm.ES256;
                case 384 -> SignatureAlgorithm.ES384;
                case 521 -> SignatureAlgorithm.ES512;
                default -> throw new InputException(p + ": EC keys must be on P-256, P-384 or P-521");
            };
        }
        if (pk instanceof RSAPublicKey) {
            return SignatureAlgorithm.PS256;
        }
        if (pk.getAlgorithm().equalsIgnoreCase("Ed25519") || pk.getAlgorithm().equalsIgnoreCase("EdDSA")) {
            return SignatureAlgorithm.EDDSA;
        }
        throw new InputException(p + ": unsupported key type " + pk.getAlgorithm());
    }

    private static boolean isPem(byte[] raw) {
        String head = new String(raw, 0, Math.min(raw.length, 256), StandardCharsets.ISO_8859_1);
        return head.contains("-----BEGIN ");
    }
}
