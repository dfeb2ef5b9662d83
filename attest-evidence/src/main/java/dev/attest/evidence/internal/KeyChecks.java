package dev.attest.evidence.internal;

import dev.attest.evidence.SignatureAlgorithm;
import java.security.Key;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.util.Locale;

/** Whether a JCA key fits a COSE algorithm (RFC 9053 §2: the curve is bound to the algorithm). */
public final class KeyChecks {
    /** RSA keys shorter than this are refused (RFC 8230 §6). */
    public static final int MIN_RSA_BITS = 2048;

    private KeyChecks() {
    }

    /**
     * Why {@code key} cannot be used with {@code alg}, or null if it can. A key whose
     * parameters are hidden (a PKCS#11 handle) is accepted on its algorithm name alone; the
     * device then refuses a mismatch when signing.
     */
    public static String mismatch(Key key, SignatureAlgorithm alg) {
        String name = key.getAlgorithm().toUpperCase(Locale.ROOT);
        switch (alg) {
            case ES256, ES384, ES512 -> {
                if (!(name.equals("EC") || name.equals("ECDSA"))) {
                    return "an " + alg + " key must be an EC key, not " + key.getAlgorithm();
                }
                if (key instanceof ECKey ec) {
                    int bits = ec.getParams().getCurve().getField().getFieldSize();
                    int want = alg == SignatureAlgorithm.ES256 ? 256 : alg == SignatureAlgorithm.ES384 ? 384 : 521;
                    if (bits != want) {
                        return alg + " needs a " + alg.curve() + " key, this one is on a " + bits + "-bit curve";
                    }
                }
                return null;
            }
            case EDDSA -> {
                return name.equals("ED25519") || name.equals("EDDSA") ? null
                        : "an EdDSA key must be Ed25519, not " + key.getAlgorithm();
            }
            case PS256 -> {
                if (!name.startsWith("RSA")) {
                    return "a PS256 key must be an RSA key, not " + key.getAlgorithm();
                }
                if (key instanceof RSAKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
                    return "RSA keys must have at least " + MIN_RSA_BITS + " bits";
                }
                return null;
            }
            default -> {
                return "unsupported algorithm " + alg;
            }
        }
    }
}
