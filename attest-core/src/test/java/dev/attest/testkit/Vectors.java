package dev.attest.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared test vectors (../shared/vectors; see its README) for every module's tests, through
 * attest-core's test-jar: env {@code ATTEST_VECTORS}, else {@code ATTEST_VECTORS_DEFAULT} (set
 * by surefire/failsafe from the build). A missing folder fails the test when {@code CI=true} and
 * skips it elsewhere, saying where the vectors are expected.
 */
public final class Vectors {
    private Vectors() {
    }

    /** The vectors sub-folder {@code sub}, e.g. {@code cose-wg}. */
    public static Path dir(String sub) {
        String env = System.getenv("ATTEST_VECTORS");
        if (env == null || env.isBlank()) {
            env = System.getenv("ATTEST_VECTORS_DEFAULT");
        }
        Path p = env == null || env.isBlank() ? Path.of("../../shared/vectors").toAbsolutePath().normalize()
                : Path.of(env);
        Path d = p.resolve(sub);
        if (!Files.isDirectory(d)) {
            String msg = "test vectors not found: expected " + d + " (set ATTEST_VECTORS to the vectors folder)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(msg);
            }
            Assumptions.abort(msg);
        }
        return d;
    }

    /** The file {@code name} in the vectors sub-folder {@code sub}. */
    public static Path file(String sub, String name) {
        return dir(sub).resolve(name);
    }
}
