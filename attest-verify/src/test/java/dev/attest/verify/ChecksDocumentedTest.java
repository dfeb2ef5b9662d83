package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.testkit.Vectors;
import dev.attest.verify.ear.TrustClaim;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every check id in {@link Checks} and of the PSA scheme has a row in docs/verifier.md with its claim, default severity and meaning. */
class ChecksDocumentedTest {
    @Test
    void everyCheckIdIsDocumentedWithItsDefaultSeverityAndNothingElseIs() throws Exception {
        Map<String, String> severityById = new TreeMap<>();
        boolean inChecks = false;
        for (String line : Files.readAllLines(Vectors.repositoryRoot().resolve("docs/verifier.md"))) {
            if (line.startsWith("## ")) {
                inChecks = line.equals("## Checks");
                continue;
            }
            if (!inChecks || !line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split("\\|");
            // | `id` | claim | default severity | when |
            assertEquals(5, cells.length, line);
            String id = cells[1].strip();
            assertTrue(id.matches("`[a-z.*-]+`"), "one id per row: " + line);
            String severity = cells[3].strip();
            assertTrue(severity.matches("(contraindicated|warning|info)\\b.*"), "default severity: " + line);
            assertTrue(!cells[4].isBlank(), "meaning: " + line);
            severityById.put(id.substring(1, id.length() - 1), severity);
        }
        TreeSet<String> declared = new TreeSet<>();
        for (Field f : Checks.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                declared.add((String) f.get(null));
            }
        }
        // The PSA scheme's own checks (its other constants are its id and media types).
        for (Field f : dev.attest.verify.psa.PsaScheme.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && !f.getName().equals("ID")) {
                declared.add((String) f.get(null));
            }
        }
        TreeSet<String> documented = new TreeSet<>(severityById.keySet());
        documented.remove("tpm.*");
        assertEquals(declared, documented);
    }

    @Test
    void aFindingPrintsOnlyThePartsItHas() {
        Finding both = new Finding(Checks.REFERENCE_DIGEST, TrustClaim.EXECUTABLES, Severity.CONTRAINDICATED,
                "/usr/bin/app", "sha-256:ab", "sha-256:cd");
        assertEquals("CONTRAINDICATED reference.digest at /usr/bin/app: expected sha-256:ab, found sha-256:cd",
                both.toString());
        assertEquals("CONTRAINDICATED reference.digest at /usr/bin/app: found sha-256:cd",
                new Finding(both.check(), both.claim(), both.severity(), both.path(), "", "sha-256:cd").toString());
        assertEquals("CONTRAINDICATED reference.digest at /usr/bin/app: expected sha-256:ab",
                new Finding(both.check(), both.claim(), both.severity(), both.path(), "sha-256:ab", "").toString());
        assertEquals("INFO continuity.first-seen at /",
                new Finding(Checks.FIRST_SEEN, TrustClaim.INSTANCE_IDENTITY, Severity.INFO, "/", "", "").toString());
        List.of(both).forEach(f -> assertTrue(!f.toString().contains("expected ,")));
    }
}
