package dev.attest.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test vectors kept in the repository's {@code vectors/} folder (one folder per origin, see
 * its README), for every module's tests through attest-core's test-jar. The folder is found by
 * walking up from the working directory to the repository root (the folder holding
 * {@code mvnw} and {@code vectors/}); nothing outside the repository is read, and a missing
 * folder is a test failure, never a skip.
 */
public final class Vectors {
    private Vectors() {
    }

    /** The repository's root folder: the nearest ancestor of the working directory with {@code mvnw} and {@code vectors/}. */
    public static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath().normalize();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("vectors"))) {
                return p;
            }
        }
        throw new AssertionError("the repository root (a folder with mvnw and vectors/) is not above " + start);
    }

    /** The vectors sub-folder {@code sub}, e.g. {@code cose-wg}. */
    public static Path dir(String sub) {
        Path d = repositoryRoot().resolve("vectors").resolve(sub);
        if (!Files.isDirectory(d)) {
            throw new AssertionError("test vectors not found: expected " + d);
        }
        return d;
    }

    /** The file {@code name} in the vectors sub-folder {@code sub}. */
    public static Path file(String sub, String name) {
        Path f = dir(sub).resolve(name);
        if (!Files.isRegularFile(f)) {
            throw new AssertionError("test vector not found: expected " + f);
        }
        return f;
    }
}
