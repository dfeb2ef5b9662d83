package dev.attest.verify.ear;

import dev.attest.verify.internal.ear.JoseKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads bounded JWK files for the key classes. */
final class JwkFiles {
    private JwkFiles() {
    }

    static String read(Path file) throws EarException {
        try {
            if (Files.size(file) > JoseKeys.MAX_JWK_BYTES) {
                throw new EarException(EarException.Reason.BAD_KEY, "", file + " is larger than " + JoseKeys.MAX_JWK_BYTES + " bytes");
            }
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EarException(EarException.Reason.BAD_KEY, "", "cannot read " + file + ": " + e, e);
        }
    }
}
