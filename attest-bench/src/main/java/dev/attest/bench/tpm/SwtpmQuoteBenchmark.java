package dev.attest.bench.tpm;

import dev.attest.tpm.HashAlg;
import dev.attest.tpm.Hierarchy;
import dev.attest.tpm.LoadedKey;
import dev.attest.tpm.PcrSelection;
import dev.attest.tpm.PcrValues;
import dev.attest.tpm.Tpm;
import dev.attest.tpm.TpmTransport;
import dev.attest.tpm.TpmtPublic;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The device side: a TPM2_Quote (ECC P-256 AK in the endorsement hierarchy, sha256 PCRs 0-7 and
 * 10) plus PCR_Read, what {@code TpmQuoteCollector} does per cycle, against a swtpm started on
 * loopback by the setup (fails when swtpm is not installed: .ci/setup.d/25-swtpm.sh). No
 * baseline: the TPM's own time dominates.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 3)
public class SwtpmQuoteBenchmark {
    Process process;
    Path dir;
    Tpm tpm;
    LoadedKey key;
    PcrSelection sel = PcrSelection.of(HashAlg.SHA256, 0, 1, 2, 3, 4, 5, 6, 7, 10);
    byte[] qualifying = new byte[32];

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory("attest-bench-swtpm");
        for (int attempt = 0; attempt < 10 && tpm == null; attempt++) {
            int port;
            try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = a.getLocalPort();
            }
            process = new ProcessBuilder("swtpm", "socket", "--tpm2", "--server",
                    "type=tcp,port=" + port + ",bindaddr=127.0.0.1", "--ctrl",
                    "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1", "--tpmstate", "dir=" + dir,
                    "--flags", "not-need-init,startup-clear").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("swtpm.log").toFile()).start();
            for (int i = 0; i < 50 && tpm == null && process.isAlive(); i++) {
                try {
                    tpm = Tpm.over(TpmTransport.tcp(new InetSocketAddress("127.0.0.1", port), Duration.ofSeconds(10)));
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
            if (tpm == null) {
                process.destroyForcibly().waitFor();
            }
        }
        if (tpm == null) {
            throw new IllegalStateException("swtpm did not start (is it installed? .ci/setup.d/25-swtpm.sh)");
        }
        key = tpm.createPrimary(Hierarchy.ENDORSEMENT, TpmtPublic.akEccP256Template());
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        tpm.flushContext(key.handle());
        tpm.close();
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    @Benchmark
    public PcrValues quoteAndPcrRead() throws Exception {
        tpm.quote(key.handle(), sel, qualifying);
        return tpm.pcrRead(sel);
    }
}
