package dev.attest.core.internal.cbor;

import dev.attest.core.internal.Bytes;
import dev.attest.core.internal.cbor.CborException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding of CBOR text strings (RFC 8949 §3.1: text must be valid UTF-8). */
final class Utf8 {
    private Utf8() {
    }

    /**
     * Decodes {@code in[from, from + len)} strictly. The JDK's own UTF-8 decoding (vectorized
     * for ASCII, which nearly every text in evidence is) replaces every malformed sequence with
     * U+FFFD, so a result without U+FFFD came from valid UTF-8; only a result with one (malformed
     * input, or a genuine U+FFFD) goes through a reporting {@code CharsetDecoder}.
     *
     * @param itemStart where the text item starts, for the exception
     */
    static String decode(byte[] in, int from, int len, int itemStart) throws CborException {
        String s = new String(in, from, len, StandardCharsets.UTF_8);
        if (s.indexOf('\uFFFD') < 0) {
            return s;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in, from, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CborException(Reason.INVALID_UTF8, itemStart, "text string is not valid UTF-8");
        }
    }

    /** Checks {@code in[from, from + len)} as {@link #decode} does, without a string for ASCII. */
    static void check(byte[] in, int from, int len, int itemStart) throws CborException {
        if (!Bytes.isAscii(in, from, len)) {
            decode(in, from, len, itemStart);
        }
    }
}
