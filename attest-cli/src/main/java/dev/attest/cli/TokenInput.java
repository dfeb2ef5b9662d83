package dev.attest.cli;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Reads an evidence token from a file or stdin ({@code -}) and recognises its form: binary CBOR
 * (any byte outside printable ASCII and whitespace, which every COSE_Sign1 has in its first
 * byte), else hex, else base64 or base64url (padding optional, line breaks ignored).
 */
final class TokenInput {
    /** The largest token accepted (after decoding the text form). */
    static final int MAX_TOKEN_BYTES = 1 << 20;
    private static final int MAX_INPUT_BYTES = 3 * MAX_TOKEN_BYTES;
    private static final Pattern HEX = Pattern.compile("(?:[0-9a-fA-F]{2})+");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/_-]+={0,2}");

    private TokenInput() {
    }

    /** The name of the source for messages: the path, or {@code stdin}. */
    static String name(String source) {
        return source.equals("-") ? "stdin" : source;
    }

    static byte[] read(String source, InputStream stdin) throws InputException {
        byte[] raw = source.equals("-") ? InputFiles.stdin(stdin, MAX_INPUT_BYTES)
                : InputFiles.bytes(Path.of(source), MAX_INPUT_BYTES);
        return decode(raw, name(source));
    }

    static byte[] decode(byte[] raw, String name) throws InputException {
        if (raw.length == 0) {
            throw new InputException(name + ": empty");
        }
        StringBuilder text = new StringBuilder(raw.length);
        for (byte b : raw) {
            if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
                continue;
            }
            if (b < 0x21 || b > 0x7e) {
                return raw;
            }
            text.append((char) b);
        }
        String t = text.toString();
        if (t.isEmpty()) {
            throw new InputException(name + ": empty");
        }
        if (HEX.matcher(t).matches()) {
            return HexFormat.of().parseHex(t);
        }
        if (BASE64.matcher(t).matches()) {
            try {
                return Base64.getDecoder().decode(t.replace('-', '+').replace('_', '/'));
            } catch (IllegalArgumentException e) {
                throw new InputException(name + ": malformed base64", e);
            }
        }
        throw new InputException(name + ": not a token (neither binary CBOR, hex nor base64)");
    }
}
