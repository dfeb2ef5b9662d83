package dev.attest.core.internal.ima;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.internal.proc.ProcFormatException;
import dev.attest.testkit.Vectors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/**
 * The SDK's one IMA list parser, fuzzed directly: arbitrary lines and lines of Keylime's real
 * list with one character changed either parse (and then their template hash is the hash of the
 * template data) or fail with a typed reason on their own line number, never with another
 * exception.
 */
class ImaEntryProperties {
    static List<String> keylimeLines() throws Exception {
        return Files.readString(Vectors.dir("keylime").resolve("ima-log-sha256"), StandardCharsets.UTF_8).lines().toList();
    }

    static void typed(String line) throws Exception {
        try {
            ImaEntry e = ImaEntry.parse(line, 7);
            if (!e.violation()) {
                MessageDigest md = MessageDigest.getInstance(e.templateHashAlgorithm());
                assertArrayEquals(e.templateHash(), md.digest(e.templateData()), line);
            }
        } catch (ProcFormatException x) {
            assertEquals(7, x.position(), line);
        }
    }

    @Property(tries = 2000)
    void arbitraryLinesAreTyped(@ForAll @StringLength(max = 300) String line) throws Exception {
        typed(line);
    }

    @Property(tries = 2000)
    void changedKeylimeLinesAreTyped(@ForAll @IntRange(min = 0, max = 1) int which, @ForAll @IntRange(max = 1000) int pos,
            @ForAll @CharRange(from = ' ', to = '~') char c) throws Exception {
        String l = keylimeLines().get(which);
        int at = pos % l.length();
        typed(l.substring(0, at) + c + l.substring(at + 1));
    }

    @Example
    void keylimeLinesParseWithTheirTemplateHashes() throws Exception {
        for (String l : keylimeLines()) {
            ImaEntry e = ImaEntry.parse(l, 1);
            assertEquals("ima-ng", e.template());
            typed(l);
        }
    }
}
