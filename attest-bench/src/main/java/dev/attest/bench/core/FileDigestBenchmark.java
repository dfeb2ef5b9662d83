package dev.attest.bench.core;

import dev.attest.core.CollectionContext;
import dev.attest.core.collectors.FileDigestCollector;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
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
 * SHA-256 of a 256 MiB file (in the page cache): {@link FileDigestCollector} against
 * {@code openssl dgst -sha256} and {@code sha256sum} on the same file in the same run, and
 * against the compute limit (SHA-256 of the same bytes already in memory). The
 * baselines include starting their process (a few ms of ~150 ms), which slightly favours attest;
 * BENCHMARKS.md says so next to the figure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 3)
public class FileDigestBenchmark {
    private static final int SIZE = 256 << 20;

    private Path dir;
    private Path file;
    private FileDigestCollector collector;
    private CollectionContext context;
    private byte[] inMemory;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("attest-bench");
        file = dir.resolve("firmware.img");
        byte[] chunk = new byte[1 << 20];
        Random r = new Random(1);
        inMemory = new byte[SIZE];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < SIZE / chunk.length; i++) {
                r.nextBytes(chunk);
                out.write(chunk);
                System.arraycopy(chunk, 0, inMemory, i * chunk.length, chunk.length);
            }
        }
        collector = FileDigestCollector.builder().path(file).build();
        context = CollectionContext.of(1, Instant.now(), Duration.ofMinutes(1));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public List<dev.attest.core.Measurement> fileDigestCollector() throws Exception {
        return collector.collect(context);
    }

    /** The compute limit: the JDK's SHA-256 over the same bytes already in memory, no I/O at all. */
    @Benchmark
    public byte[] baselineInMemorySha256() throws Exception {
        return java.security.MessageDigest.getInstance("SHA-256").digest(inMemory);
    }

    @Benchmark
    public int baselineOpenssl() throws Exception {
        return run("openssl", "dgst", "-sha256", file.toString());
    }

    @Benchmark
    public int baselineSha256sum() throws Exception {
        return run("sha256sum", file.toString());
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + rc);
        }
        return rc;
    }
}
