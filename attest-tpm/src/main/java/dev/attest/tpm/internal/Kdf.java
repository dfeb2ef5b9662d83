package dev.attest.tpm.internal;

import dev.attest.tpm.HashAlg;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The TPM key derivation functions (TPM 2.0 Part 1 §11.4.10). */
public final class Kdf {
    private Kdf() {
    }

    private static byte[] label(String label) {
        // a label is used with its terminating zero octet (Part 1 §11.4.10.1)
        byte[] l = label.getBytes(StandardCharsets.US_ASCII);
        return Arrays.copyOf(l, l.length + 1);
    }

    private static byte[] u32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** KDFa: SP 800-108 counter mode with HMAC (Part 1 §11.4.10.2). */
    public static byte[] kdfa(HashAlg hash, byte[] key, String label, byte[] contextU, byte[] contextV, int bits)
            throws GeneralSecurityException {
        if (key.length == 0) {
            throw new GeneralSecurityException("KDFa with an empty key");
        }
        String macName = "Hmac" + hash.jcaName().replace("-", "");
        Mac mac = Mac.getInstance(macName);
        mac.init(new SecretKeySpec(key, macName));
        int bytes = (bits + 7) / 8;
        byte[] out = new byte[bytes];
        int have = 0;
        for (int i = 1; have < bytes; i++) {
            mac.update(u32(i));
            mac.update(label(label));
            mac.update(contextU);
            mac.update(contextV);
            mac.update(u32(bits));
            byte[] block = mac.doFinal();
            int n = Math.min(block.length, bytes - have);
            System.arraycopy(block, 0, out, have, n);
            have += n;
        }
        return out;
    }

    /** KDFe: SP 800-56A concatenation KDF (Part 1 §11.4.10.3). */
    public static byte[] kdfe(HashAlg hash, byte[] z, String label, byte[] partyU, byte[] partyV, int bits) {
        int bytes = (bits + 7) / 8;
        byte[] out = new byte[bytes];
        int have = 0;
        MessageDigest md = hash.newDigest();
        for (int i = 1; have < bytes; i++) {
            md.update(u32(i));
            md.update(z);
            md.update(label(label));
            md.update(partyU);
            md.update(partyV);
            byte[] block = md.digest();
            int n = Math.min(block.length, bytes - have);
            System.arraycopy(block, 0, out, have, n);
            have += n;
        }
        return out;
    }
}
