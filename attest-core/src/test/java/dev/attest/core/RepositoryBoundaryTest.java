package dev.attest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.testkit.Vectors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A fresh clone with nothing beside it runs every test: no test source, benchmark, example, POM
 * or script reaches a path outside the repository. Three ways of reaching out are refused:
 * <ul>
 *   <li>a relative path that climbs above the repository root, judged from where it is resolved
 *       (a test's or benchmark's working directory is its module; a POM's
 *       {@code ${maven.multiModuleProjectDirectory}} is the root and {@code ${project.basedir}}
 *       its module; a script's {@code $(dirname "$0")} is its own folder);</li>
 *   <li>an environment variable naming where test vectors are ({@code *VECTORS*}), in Java
 *       ({@code System.getenv}), POMs and scripts;</li>
 *   <li>an absolute path into a home or work folder.</li>
 * </ul>
 * The guard's own examples, lines it must refuse and lines it must let pass, are in
 * {@code src/test/resources/repository-boundary/samples.txt}, so this source names none.
 */
class RepositoryBoundaryTest {
    private static final Path ROOT = Vectors.repositoryRoot();
    private static final Pattern JAVA_CLIMB = Pattern.compile("\"((?:\\.\\./)+)");
    private static final Pattern JAVA_PATH_OF_PARENT = Pattern.compile(
            "(?:Path\\.of|Paths\\.get|\\.resolve|new File)\\(\\s*\"\\.\\.\"((?:\\s*,\\s*\"\\.\\.\")*)");
    private static final Pattern POM_ROOT_CLIMB = Pattern.compile("\\$\\{maven\\.multiModuleProjectDirectory\\}((?:/\\.\\.)+)");
    private static final Pattern POM_BASEDIR_CLIMB = Pattern.compile("\\$\\{(?:project\\.)?basedir\\}((?:/\\.\\.)+)");
    private static final Pattern SCRIPT_CLIMB = Pattern.compile("dirname \"\\$0\"\\)((?:/\\.\\.)+)");
    private static final Pattern VECTORS_VARIABLE = Pattern.compile(
            "getenv\\(\\s*\"[A-Z0-9_]*VECTORS|\\$\\{?(?:env\\.)?[A-Z0-9_]*VECTORS|<[A-Z0-9_]*VECTORS[A-Z0-9_]*>");
    private static final Pattern PERSONAL = Pattern.compile("[\"'= ]/(?:work|home|root)/");

    @Test
    void noSourceReachesOutsideTheRepository() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path f : sources()) {
            String rel = ROOT.relativize(f).toString();
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                int n = i + 1;
                problem(rel, lines.get(i)).ifPresent(p -> problems.add(rel + ":" + n + ": " + p));
            }
        }
        assertEquals(List.of(), problems, "paths outside the repository");
    }

    @Test
    void theGuardRefusesWhatItMustAndPassesTheRest() throws IOException {
        int outside = 0;
        int inside = 0;
        for (String s : Files.readAllLines(Path.of("src/test/resources/repository-boundary/samples.txt"),
                StandardCharsets.UTF_8)) {
            if (s.isBlank() || s.startsWith("#")) {
                continue;
            }
            String[] parts = s.split("\t", 3);
            assertEquals(3, parts.length, "sample: expectation, file, line: " + s);
            boolean refused = problem(parts[1], parts[2]).isPresent();
            if (parts[0].equals("outside")) {
                assertTrue(refused, "must refuse: " + s);
                outside++;
            } else {
                assertEquals("inside", parts[0], s);
                assertTrue(!refused, "must pass: " + s + " (" + problem(parts[1], parts[2]) + ")");
                inside++;
            }
        }
        assertTrue(outside >= 8 && inside >= 6, "samples of both kinds: " + outside + " / " + inside);
    }

    @Test
    void theGuardSeesTheWholeTree() throws IOException {
        List<Path> all = sources();
        assertTrue(all.contains(ROOT.resolve("attest-core/src/test/java/dev/attest/testkit/Vectors.java")), "test sources");
        assertTrue(all.contains(ROOT.resolve("pom.xml")), "the POMs");
        assertTrue(all.contains(ROOT.resolve("bin/attest-test")), "the scripts");
        assertTrue(all.contains(ROOT.resolve(".ci/setup.d/35-postgresql.sh")), "the setup scripts");
        assertTrue(all.contains(ROOT.resolve("attest-core/src/test/java/dev/attest/core/RepositoryBoundaryTest.java")),
                "itself");
        assertTrue(all.size() > 150, "the whole tree: " + all.size());
    }

    /** What in {@code line} of the file {@code rel} (relative to the root) reaches outside, if anything. */
    static Optional<String> problem(String rel, String line) {
        if (VECTORS_VARIABLE.matcher(line).find()) {
            return Optional.of("an environment variable for test vectors: " + line.strip());
        }
        if (PERSONAL.matcher(line).find()) {
            return Optional.of("an absolute path into a home or work folder: " + line.strip());
        }
        String name = Path.of(rel).getFileName().toString();
        if (name.endsWith(".java") || name.endsWith(".mjs")) {
            int depth = moduleDepth(rel);
            Matcher m = JAVA_CLIMB.matcher(line);
            while (m.find()) {
                if (m.group(1).length() / 3 > depth) {
                    return Optional.of(climbs(m.group(1).length() / 3, depth, line));
                }
            }
            Matcher p = JAVA_PATH_OF_PARENT.matcher(line);
            while (p.find()) {
                int up = 1 + (p.group(1).length() - p.group(1).replace("\"..\"", "").length()) / 4;
                if (up > depth) {
                    return Optional.of(climbs(up, depth, line));
                }
            }
        } else if (name.equals("pom.xml")) {
            Matcher r = POM_ROOT_CLIMB.matcher(line);
            if (r.find()) {
                return Optional.of(climbs(r.group(1).length() / 3, 0, line));
            }
            Matcher b = POM_BASEDIR_CLIMB.matcher(line);
            int depth = Path.of(rel).getNameCount() - 1;
            if (b.find() && b.group(1).length() / 3 > depth) {
                return Optional.of(climbs(b.group(1).length() / 3, depth, line));
            }
        } else {
            Matcher s = SCRIPT_CLIMB.matcher(line);
            int depth = Path.of(rel).getNameCount() - 1;
            if (s.find() && s.group(1).length() / 3 > depth) {
                return Optional.of(climbs(s.group(1).length() / 3, depth, line));
            }
        }
        return Optional.empty();
    }

    private static String climbs(int up, int depth, String line) {
        return "climbs " + up + " folders from " + depth + " below the root: " + line.strip();
    }

    /** How many folders below the root the module (nearest folder with a pom.xml) of {@code rel} sits. */
    private static int moduleDepth(String rel) {
        for (Path p = ROOT.resolve(rel).getParent(); p != null && p.startsWith(ROOT); p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml"))) {
                return p.equals(ROOT) ? 0 : ROOT.relativize(p).getNameCount();
            }
        }
        return 0;
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(ROOT)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String r = ROOT.relativize(p).toString();
                        return !r.startsWith(".git/") && !r.contains("/target/") && !r.startsWith("target/")
                                && !r.contains("node_modules/") && !r.startsWith("vectors/");
                    })
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        String r = ROOT.relativize(p).toString();
                        return n.endsWith(".java") || n.equals("pom.xml") || r.startsWith("bin/")
                                || r.startsWith(".ci/") || n.endsWith(".mjs") || n.endsWith(".sh");
                    })
                    .sorted().toList();
        }
    }
}
