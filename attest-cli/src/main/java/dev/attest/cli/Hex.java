package dev.attest.cli;

import dev.attest.evidence.EatClaims;
import java.util.HexFormat;

/** Parses {@code --nonce HEX}. */
final class Hex {
    private Hex() {
    }

    static byte[] nonce(String hex) throws InputException {
        byte[] n;
        try {
            n = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new InputException("--nonce: not hex");
        }
        if (n.length < EatClaims.MIN_NONCE || n.length > EatClaims.MAX_NONCE) {
            throw new InputException("--nonce: must be " + EatClaims.MIN_NONCE + " to " + EatClaims.MAX_NONCE
                    + " bytes, got " + n.length);
        }
        return n;
    }
}
