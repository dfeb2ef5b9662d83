package dev.attest.verify.internal.ear;

import java.util.Base64;
import java.util.Optional;

/**
 * Strict base64url without padding (RFC 4648 §5, as JOSE requires in RFC 7515 §2): only the
 * URL-safe alphabet, no '=', no whitespace, and the unused low bits of the last character must
 * be zero so that every byte string has exactly one encoding.
 */
public final class Base64Url {
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();

    private Base64Url() {
    }

    /** The unpadded base64url encoding of {@code bytes}. */
    public static String encode(byte[] bytes) {
        return ENC.encodeToString(bytes);
    }

    /** The decoded bytes, or empty if {@code s} is not canonical unpadded base64url. */
    public static Optional<byte[]> decode(String s) {
        if (s.length() % 4 == 1) {
            return Optional.empty();
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return Optional.empty();
            }
        }
        byte[] out = DEC.decode(s);
        // Non-zero trailing bits would let two strings decode to the same bytes.
        if (!ENC.encodeToString(out).equals(s)) {
            return Optional.empty();
        }
        return Optional.of(out);
    }
}
