package dev.attest.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the files a command is given, bounded in size, with one-line errors that name the file. */
final class InputFiles {
    /** Limit for configuration files (reference values, policy, keys). */
    static final int MAX_CONFIG_BYTES = 1 << 20;

    private InputFiles() {
    }

    static byte[] bytes(Path p, int max) throws InputException {
        try {
            if (Files.isDirectory(p)) {
                throw new InputException(p + ": is a directory");
            }
            if (Files.size(p) > max) {
                throw new InputException(p + ": larger than " + max + " bytes");
            }
            byte[] b = Files.readAllBytes(p);
            if (b.length > max) {
                throw new InputException(p + ": larger than " + max + " bytes");
            }
            return b;
        } catch (NoSuchFileException e) {
            throw new InputException(p + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new InputException(p + ": permission denied", e);
        } catch (IOException e) {
            throw new InputException(p + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    static byte[] stdin(InputStream in, int max) throws InputException {
        try {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new InputException("stdin: larger than " + max + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw new InputException("stdin: cannot read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** A UTF-8 text file; malformed UTF-8 is refused rather than replaced. */
    static String text(Path p, int max) throws InputException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes(p, max)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InputException(p + ": not UTF-8 text", e);
        }
    }
}
