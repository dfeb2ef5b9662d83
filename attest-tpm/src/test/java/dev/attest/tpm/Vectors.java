package dev.attest.tpm;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Finds the shared test vectors: env ATTEST_VECTORS, else ATTEST_VECTORS_DEFAULT (set by surefire/failsafe). */
public final class Vectors {
    private Vectors() {
    }

    /** @return the vectors sub-folder; fails in CI and skips elsewhere when absent */
    public static Path dir(String sub) {
        String env = System.getenv("ATTEST_VECTORS");
        if (env == null || env.isBlank()) {
            env = System.getenv("ATTEST_VECTORS_DEFAULT");
        }
        Path p = env == null || env.isBlank() ? Path.of("../../shared/vectors").toAbsolutePath().normalize() : Path.of(env);
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
}
