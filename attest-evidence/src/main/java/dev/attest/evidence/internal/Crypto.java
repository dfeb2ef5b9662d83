package dev.attest.evidence.internal;

import dev.attest.evidence.SignatureAlgorithm;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** JCA plumbing shared by the key classes: the default provider and signature encodings. */
public final class Crypto {
    /**
     * The provider used when the caller passes none. It is an instance held here, never
     * registered with {@code Security.addProvider}, so the application's provider list is
     * untouched.
     */
    public static final Provider DEFAULT_PROVIDER = new BouncyCastleProvider();

    /** Ed25519 group order L (RFC 8032 §5.1), little-endian S must be below it. */
    private static final BigInteger ED25519_L =
            BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));

    private Crypto() {
    }

    /**
     * {@code key} converted once into {@link #DEFAULT_PROVIDER}'s own key class when {@code
     * provider} is that provider; otherwise {@code key} itself. Bouncy Castle converts a foreign
     * key (the JDK's, from {@code KeyFactory.getInstance("EC")}, a {@code KeyStore} or a
     * certificate the JDK parsed) on every verification, and keeps its elliptic-curve
     * precomputation on the converted point, which is then thrown away. A key converted once and
     * kept verifies twice as fast (P-256, measured on this project's machine: about 140 against
     * 330 µs). The conversion decodes the key's X.509 encoding (not {@code translateKey}, which
     * loses P-521's named curve and refuses the JDK's Ed25519 keys) and the result must encode
     * the same, so it is the same key; a key the provider cannot convert is returned as it is. A
     * caller's own provider (an HSM, say) is never asked to convert anything.
     */
    public static PublicKey forProvider(PublicKey key, Provider provider) {
        if (provider != DEFAULT_PROVIDER) {
            return key;
        }
        try {
            byte[] spki = key.getEncoded();
            PublicKey p = java.security.KeyFactory.getInstance(key.getAlgorithm(), provider)
                    .generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
            return Arrays.equals(p.getEncoded(), spki) ? p : key;
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        }
    }

    /**
     * {@code key} converted once into {@link #DEFAULT_PROVIDER}'s own key class (decoded from its
     * PKCS#8 encoding), for the same reason as {@link #forProvider(PublicKey, Provider)}: Bouncy
     * Castle otherwise converts a JDK key on every signature. The caller must check that the
     * result still signs for the public half; a key that cannot be exported or converted (an HSM
     * handle) is returned as it is.
     */
    public static java.security.PrivateKey forDefaultProvider(java.security.PrivateKey key) {
        byte[] pkcs8 = null;
        try {
            pkcs8 = key.getEncoded();
            if (pkcs8 == null || !"PKCS#8".equalsIgnoreCase(key.getFormat())) {
                return key;
            }
            return java.security.KeyFactory.getInstance(key.getAlgorithm(), DEFAULT_PROVIDER)
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        } finally {
            if (pkcs8 != null) {
                // Our copy of the private key's encoding: not left in the heap.
                Arrays.fill(pkcs8, (byte) 0);
            }
        }
    }

    /** A {@link Signature} for {@code alg} from {@code provider}, with PSS parameters set. */
    public static Signature signature(SignatureAlgorithm alg, Provider provider) throws GeneralSecurityException {
        Signature s = Signature.getInstance(alg.jcaName(), provider);
        if (alg == SignatureAlgorithm.PS256) {
            s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        return s;
    }

    /** The hash an ECDSA algorithm signs with (RFC 9053 §2.1). */
    public static dev.attest.core.DigestAlgorithm ecdsaDigest(SignatureAlgorithm alg) {
        return switch (alg) {
            case ES256 -> dev.attest.core.DigestAlgorithm.SHA_256;
            case ES384 -> dev.attest.core.DigestAlgorithm.SHA_384;
            case ES512 -> dev.attest.core.DigestAlgorithm.SHA_512;
            default -> throw new IllegalArgumentException(alg + " is not ECDSA");
        };
    }

    /**
     * Converts a DER ECDSA signature (SEQUENCE { r INTEGER, s INTEGER }) to COSE's fixed-length
     * {@code r || s} (RFC 9053 §2.1).
     */
    public static byte[] derToRaw(byte[] der, int n) throws GeneralSecurityException {
        try {
            int p = 0;
            if (der[p++] != 0x30) {
                throw new GeneralSecurityException("not a DER sequence");
            }
            int seqLen = derLength(der, p);
            p += derLengthSize(der, p);
            if (p + seqLen != der.length) {
                throw new GeneralSecurityException("DER length mismatch");
            }
            byte[] out = new byte[2 * n];
            for (int i = 0; i < 2; i++) {
                if (der[p++] != 0x02) {
                    throw new GeneralSecurityException("not a DER integer");
                }
                int len = derLength(der, p);
                p += derLengthSize(der, p);
                BigInteger v = new BigInteger(1, Arrays.copyOfRange(der, p, p + len));
                p += len;
                byte[] mag = v.toByteArray();
                int off = mag.length > n && mag[0] == 0 ? 1 : 0;
                int l = mag.length - off;
                if (l > n) {
                    throw new GeneralSecurityException("integer longer than the curve");
                }
                System.arraycopy(mag, off, out, i * n + (n - l), l);
            }
            return out;
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new GeneralSecurityException("truncated DER signature", e);
        }
    }

    /** Converts COSE's {@code r || s} to DER; rejects a wrong length or zero values. */
    public static byte[] rawToDer(byte[] raw, int n) throws GeneralSecurityException {
        if (raw.length != 2 * n) {
            throw new GeneralSecurityException("ECDSA signature must be " + 2 * n + " bytes, is " + raw.length);
        }
        byte[] r = new BigInteger(1, Arrays.copyOfRange(raw, 0, n)).toByteArray();
        byte[] s = new BigInteger(1, Arrays.copyOfRange(raw, n, 2 * n)).toByteArray();
        int body = 1 + lenSize(r.length) + r.length + 1 + lenSize(s.length) + s.length;
        byte[] out = new byte[1 + lenSize(body) + body];
        int p = 0;
        out[p++] = 0x30;
        p = putLen(out, p, body);
        for (byte[] v : new byte[][] {r, s}) {
            out[p++] = 0x02;
            p = putLen(out, p, v.length);
            System.arraycopy(v, 0, out, p, v.length);
            p += v.length;
        }
        return out;
    }

    /**
     * Whether an Ed25519 signature's S (its last 32 bytes, little-endian) is canonical, i.e.
     * below the group order L (RFC 8032 §5.1.7 step 1). Checked by the SDK itself so strict
     * verification does not depend on the provider.
     */
    public static boolean ed25519CanonicalS(byte[] sig) {
        if (sig.length != 64) {
            return false;
        }
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = sig[63 - i];
        }
        return new BigInteger(1, be).compareTo(ED25519_L) < 0;
    }

    private static int derLength(byte[] der, int p) throws GeneralSecurityException {
        int b = der[p] & 0xff;
        if (b < 0x80) {
            return b;
        }
        int n = b & 0x7f;
        if (n == 0 || n > 2) {
            throw new GeneralSecurityException("bad DER length");
        }
        int len = 0;
        for (int i = 1; i <= n; i++) {
            len = (len << 8) | (der[p + i] & 0xff);
        }
        return len;
    }

    private static int derLengthSize(byte[] der, int p) {
        int b = der[p] & 0xff;
        return b < 0x80 ? 1 : 1 + (b & 0x7f);
    }

    private static int lenSize(int len) {
        return len < 0x80 ? 1 : len < 0x100 ? 2 : 3;
    }

    private static int putLen(byte[] out, int p, int len) {
        if (len < 0x80) {
            out[p++] = (byte) len;
        } else if (len < 0x100) {
            out[p++] = (byte) 0x81;
            out[p++] = (byte) len;
        } else {
            out[p++] = (byte) 0x82;
            out[p++] = (byte) (len >> 8);
            out[p++] = (byte) len;
        }
        return p;
    }
}
