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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A fresh clone with nothing beside it runs every test: no test source, benchmark, example or
 * build script names a path outside the repository (the shared vectors folder a developer may
 * have beside the clone, an environment variable pointing at it, a home or work folder, or a
 * relative path that climbs above the repository root).
 */
class RepositoryBoundaryTest {
    private static final Path ROOT = Vectors.repositoryRoot();
    private static final Pattern FORBIDDEN = Pattern.compile(
            "shared/vectors|ATTEST_VECTORS|\\.\\./shared\\b|\"/work/|\"/home/|\"/root/");
    private static final Pattern CLIMB = Pattern.compile("\"((?:\\.\\./)+)");

    @Test
    void noSourceNamesAPathOutsideTheRepository() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path f : sources()) {
            String rel = ROOT.relativize(f).toString();
            int depth = moduleDepth(f);
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (FORBIDDEN.matcher(line).find()) {
                    problems.add(rel + ":" + (i + 1) + ": " + line.strip());
                }
                Matcher m = CLIMB.matcher(line);
                while (f.toString().endsWith(".java") && m.find()) {
                    int up = m.group(1).length() / 3;
                    if (up > depth) {
                        problems.add(rel + ":" + (i + 1) + ": climbs " + up + " folders from a module "
                                + depth + " below the root: " + line.strip());
                    }
                }
            }
        }
        assertEquals(List.of(), problems, "paths outside the repository");
    }

    @Test
    void theGuardSeesTheTestSources() throws IOException {
        List<Path> all = sources();
        assertTrue(all.contains(ROOT.resolve("attest-core/src/test/java/dev/attest/testkit/Vectors.java")), "scans test sources");
        assertTrue(all.contains(ROOT.resolve("pom.xml")), "scans the POMs");
        assertTrue(all.size() > 150, "scans the whole tree: " + all.size());
        assertTrue(FORBIDDEN.matcher("Path.of(\"../shared/vectors/ear\")").find());
    }

    /** How many folders below the root the module (nearest folder with a pom.xml) of {@code f} sits. */
    private static int moduleDepth(Path f) {
        for (Path p = f.getParent(); p != null && p.startsWith(ROOT); p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml"))) {
                return ROOT.relativize(p).getNameCount() - (p.equals(ROOT) ? 1 : 0);
            }
        }
        return 0;
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(ROOT)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String r = ROOT.relativize(p).toString();
                        return !r.startsWith(".git") && !r.contains("/target/") && !r.startsWith("target/")
                                && !r.contains("node_modules/") && !r.startsWith("vectors/");
                    })
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        String r = ROOT.relativize(p).toString();
                        return n.endsWith(".java") && (r.contains("/src/test/") || r.startsWith("attest-bench/")
                                || r.startsWith("examples/"))
                                || n.equals("pom.xml") || r.startsWith("bin/") || r.startsWith(".ci/")
                                || n.endsWith(".mjs") || n.endsWith(".sh");
                    })
                    .filter(p -> !p.endsWith("RepositoryBoundaryTest.java"))
                    .sorted().toList();
        }
    }
}
