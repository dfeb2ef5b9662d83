package dev.attest.tpm;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Test fixture: a real swtpm (TPM 2.0 simulator) on loopback with fresh state in a temp dir,
 * data port P and control port P+1 (the libtss2 swtpm TCTI expects that layout). Fails in CI
 * when swtpm is missing, skips elsewhere.
 */
public final class Swtpm implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path stateDir;

    private Swtpm(Process process, int port, Path stateDir) {
        this.process = process;
        this.port = port;
        this.stateDir = stateDir;
    }

    /** Fails (CI=true) or aborts the test with a message. */
    public static void missing(String what, Throwable cause) {
        String msg = what + " is not available: run .ci/setup.d/25-swtpm.sh as root";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(msg, cause);
        }
        Assumptions.abort("skipped: " + msg);
    }

    /** Starts swtpm with its state in {@code stateDir}. */
    public static Swtpm start(Path stateDir) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            int p = freePortPair();
            Process proc;
            try {
                proc = new ProcessBuilder("swtpm", "socket", "--tpm2",
                        "--server", "type=tcp,port=" + p + ",bindaddr=127.0.0.1",
                        "--ctrl", "type=tcp,port=" + (p + 1) + ",bindaddr=127.0.0.1",
                        "--tpmstate", "dir=" + stateDir, "--flags", "not-need-init,startup-clear")
                        .redirectErrorStream(true)
                        .redirectOutput(stateDir.resolve("swtpm.log").toFile())
                        .start();
            } catch (IOException e) {
                missing("swtpm", e);
                throw e;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            // Ready when both ports accept: swtpm binds them one after the other, and a client
            // connecting to the data port between the two binds was refused (a flaky IT).
            while (System.nanoTime() < deadline && proc.isAlive()) {
                try (Socket ctrl = new Socket(); Socket data = new Socket()) {
                    ctrl.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), p + 1), 200);
                    data.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 200);
                    return new Swtpm(proc, p, stateDir);
                } catch (IOException e) {
                    last = e;
                    Thread.sleep(50);
                }
            }
            proc.destroyForcibly().waitFor();
        }
        String log = Files.exists(stateDir.resolve("swtpm.log"))
                ? Files.readString(stateDir.resolve("swtpm.log"), StandardCharsets.UTF_8) : "";
        throw new IOException("swtpm did not start: " + log, last);
    }

    private static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = a.getLocalPort();
                if (p >= 65535) {
                    continue;
                }
                ServerSocket b;
                try {
                    b = new ServerSocket(p + 1, 1, InetAddress.getLoopbackAddress());
                } catch (IOException busy) {
                    continue;
                }
                b.close();
                return p;
            }
        }
        throw new IOException("no free port pair");
    }

    /** @return the data (command) port */
    public int port() {
        return port;
    }

    /** @return the TPM2TOOLS_TCTI value for tpm2-tools */
    public String tcti() {
        return "swtpm:host=127.0.0.1,port=" + port;
    }

    /** @return a client on a new connection (swtpm serves one connection at a time: close it before running tools) */
    public Tpm connect() throws IOException {
        return Tpm.over(TpmTransport.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Duration.ofSeconds(30)));
    }

    /** Result of a tpm2-tools run. */
    public record ToolResult(int exitCode, String stdout, String stderr) {
    }

    /** Runs a tpm2-tools command against this TPM, in {@code dir}. */
    public ToolResult tool(Path dir, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(cmd))).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.put("TPM2TOOLS_TCTI", tcti());
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        pb.redirectError(err.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            missing(cmd[0] + " (tpm2-tools)", e);
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd[0] + " timed out");
        }
        return new ToolResult(p.exitValue(), out, Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Runs a tool and asserts exit code 0. */
    public String toolOk(Path dir, String... cmd) throws IOException, InterruptedException {
        ToolResult r = tool(dir, cmd);
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.exitCode() + ": " + r.stderr() + r.stdout());
        }
        return r.stdout();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "swtpm on 127.0.0.1:" + port + " state " + stateDir;
    }
}
