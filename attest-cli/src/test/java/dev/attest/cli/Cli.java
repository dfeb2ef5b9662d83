package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test helper: runs the real {@code attest} command in-process with captured streams. */
final class Cli {
    private Cli() {
    }

    record Run(int code, String out, String err) {
        /** Asserts the run failed with exactly one error line, no stack trace, and returns it. */
        String oneLineError(int expectedCode) {
            assertEquals(expectedCode, code, "exit code; stderr: " + err + " stdout: " + out);
            assertTrue(err.endsWith("\n") && err.indexOf('\n') == err.length() - 1, "one line: " + err);
            assertFalse(err.contains("\tat ") || err.matches("(?s).*\\w+(Exception|Error): .*"), "no stack trace: " + err);
            return err.substring(0, err.length() - 1);
        }
    }

    static Run run(String... args) {
        return run(new ByteArrayInputStream(new byte[0]), args);
    }

    static Run run(byte[] stdin, String... args) {
        return run(new ByteArrayInputStream(stdin), args);
    }

    static Run run(InputStream stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Attest.run(args, stdin, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * Asserts {@code actual} equals the golden file {@code name}; on a mismatch the actual text
     * is written to target/golden-actual/ for review.
     */
    static void assertGolden(String name, String actual) {
        String want = golden(name);
        if (!want.equals(actual)) {
            try {
                java.nio.file.Path p = java.nio.file.Path.of("target", "golden-actual", name);
                java.nio.file.Files.createDirectories(p.getParent());
                java.nio.file.Files.writeString(p, actual);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertEquals(want, actual, "golden " + name);
    }

    /** Replaces what is random or machine-specific in the commands' output with placeholders. */
    static String normalize(String s, java.nio.file.Path dir) {
        return s.replace(dir.toString(), "$DIR")
                .replaceAll("\"iat\": \\d+", java.util.regex.Matcher.quoteReplacement("\"iat\": $IAT"))
                .replaceAll("\"boot-id\": \"[^\"]+\"", java.util.regex.Matcher.quoteReplacement("\"boot-id\": \"$BOOT\""))
                .replaceAll("\"time\": \"[^\"]+\"", java.util.regex.Matcher.quoteReplacement("\"time\": \"$TIME\""))
                .replaceAll("\"head\": \\[(\\d+), \"[0-9a-f]+\"\\]", "\"head\": [$1, \"\\$HEAD\"]")
                .replaceAll("of boot [^ \n\"]+", java.util.regex.Matcher.quoteReplacement("of boot $BOOT"))
                .replaceAll("evidence sha-256: [0-9a-f]{64}", java.util.regex.Matcher.quoteReplacement("evidence sha-256: $SHA"))
                .replaceAll("\"attest.evidence-sha256\":\"[0-9a-f]{64}\"", java.util.regex.Matcher.quoteReplacement("\"attest.evidence-sha256\":\"$SHA\""))
                .replaceAll("\"iat\":\\d+", java.util.regex.Matcher.quoteReplacement("\"iat\":$IAT"));
    }

    /** A golden file from src/test/resources/dev/attest/cli/golden. */
    static String golden(String name) {
        try (InputStream in = Cli.class.getResourceAsStream("golden/" + name)) {
            if (in == null) {
                throw new AssertionError("missing golden file " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
