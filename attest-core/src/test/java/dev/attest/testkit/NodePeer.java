package dev.attest.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Node.js peer implementation in {@code interop/node} (installed by
 * .ci/setup.d/30-node-interop.sh), run as an independent oracle by the *InteropTest classes.
 * Without Node.js or the npm package, the test fails when {@code CI=true} and skips elsewhere.
 */
public final class NodePeer {
    private final Path dir;

    private NodePeer(Path dir) {
        this.dir = dir;
    }

    /** What a script did: exit code, trimmed standard output, standard error. */
    public record Result(int exit, String out, String err) {
    }

    /** The peer folder, requiring the npm package {@code npmPackage} to be installed there. */
    public static NodePeer require(String npmPackage) {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("interop/node"))) {
            dir = dir.getParent();
        }
        String problem = null;
        if (dir == null || !Files.isDirectory(dir.resolve("interop/node/node_modules").resolve(npmPackage))) {
            problem = "npm package " + npmPackage + " is not installed in interop/node (run .ci/setup.d/30-node-interop.sh)";
        } else {
            try {
                Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    problem = "node --version failed";
                }
            } catch (IOException | InterruptedException e) {
                problem = "node is not on PATH (run .ci/setup.d/30-node-interop.sh): " + e.getMessage();
            }
        }
        if (problem != null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(problem);
            }
            Assumptions.abort(problem);
        }
        return new NodePeer(dir.resolve("interop/node"));
    }

    /**
     * Runs {@code node script args...} in the peer folder, with {@code input} written to a file in
     * {@code tmp} and passed as the last argument; at most 60 seconds.
     */
    public Result run(Path tmp, String script, byte[] input, String... args) throws IOException, InterruptedException {
        Path in = Files.write(Files.createTempFile(tmp, "in", ".bin"), input);
        Path err = Files.createTempFile(tmp, "err", ".txt");
        List<String> cmd = new ArrayList<>(List.of("node", script));
        cmd.addAll(List.of(args));
        cmd.add(in.toString());
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(script + " timed out");
        }
        return new Result(p.exitValue(), out.trim(), Files.readString(err, StandardCharsets.UTF_8));
    }
}
