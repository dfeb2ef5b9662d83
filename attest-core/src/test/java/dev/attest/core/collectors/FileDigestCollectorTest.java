package dev.attest.core.collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attest.core.CollectionContext;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Measurement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDigestCollectorTest {
    @TempDir
    Path dir;

    private static final CollectionContext CTX = CollectionContext.of(1, Instant.parse("2026-11-24T00:00:00Z"),
            Duration.ofSeconds(30));

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void digestsEqualWhatCoreutilsComputes() throws Exception {
        // 3 MiB + 17 bytes: several full reads and a partial one.
        byte[] data = new byte[3 * (1 << 20) + 17];
        new Random(7).nextBytes(data);
        Path f = Files.write(dir.resolve("firmware.bin"), data);
        Measurement m = FileDigestCollector.builder().path(f).algorithm(DigestAlgorithm.SHA_256)
                .algorithm(DigestAlgorithm.SHA_512).algorithm(DigestAlgorithm.SHA3_256).build().collect(CTX).get(0);
        assertEquals(run("sha256sum", f.toString()).split(" ")[0], m.digest(DigestAlgorithm.SHA_256).orElseThrow().hex());
        assertEquals(run("sha512sum", f.toString()).split(" ")[0], m.digest(DigestAlgorithm.SHA_512).orElseThrow().hex());
        assertEquals(run("openssl", "dgst", "-sha3-256", "-r", f.toString()).split(" ")[0],
                m.digest(DigestAlgorithm.SHA3_256).orElseThrow().hex());
        assertEquals(f.toString(), m.component().name());
        assertEquals(data.length, ((dev.attest.core.Value.Int) m.value("size").orElseThrow()).value());
    }

    @Test
    void directoriesAreWalkedRecursivelyInByteOrder() throws Exception {
        Files.createDirectories(dir.resolve("b/sub"));
        Files.writeString(dir.resolve("b/sub/z"), "z");
        Files.writeString(dir.resolve("B"), "upper");
        Files.writeString(dir.resolve("a"), "a");
        Files.writeString(dir.resolve("b/c"), "c");
        List<Measurement> ms = FileDigestCollector.builder().path(dir).build().collect(CTX);
        assertEquals(List.of("B", "a", "b/c", "b/sub/z"),
                ms.stream().map(m -> dir.relativize(Path.of(m.component().name())).toString()).toList());
    }

    @Test
    void symlinksFollowTheExplicitPolicy() throws Exception {
        Path target = Files.writeString(dir.resolve("real"), "content");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        Measurement recorded = FileDigestCollector.builder().path(link).build().collect(CTX).get(0);
        assertEquals(target.toString(), ((dev.attest.core.Value.Text) recorded.value("symlink-target").orElseThrow()).value());
        assertEquals(DigestAlgorithm.SHA_256.hash(target.toString().getBytes(StandardCharsets.UTF_8)),
                recorded.digest(DigestAlgorithm.SHA_256).orElseThrow());

        Measurement followed = FileDigestCollector.builder().path(link)
                .symlinks(FileDigestCollector.SymlinkPolicy.FOLLOW).build().collect(CTX).get(0);
        assertEquals(DigestAlgorithm.SHA_256.hash("content".getBytes(StandardCharsets.UTF_8)),
                followed.digest(DigestAlgorithm.SHA_256).orElseThrow());

        Measurement rejected = FileDigestCollector.builder().path(link)
                .symlinks(FileDigestCollector.SymlinkPolicy.REJECT).build().collect(CTX).get(0);
        assertEquals(Measurement.Status.ERROR, rejected.status());
        assertEquals("symbolic link to " + target + " (policy REJECT)", rejected.message().orElseThrow());
    }

    @Test
    void missingFilesFifosAndEndlessDevicesAreReported() throws Exception {
        Path fifo = dir.resolve("fifo");
        run("mkfifo", fifo.toString());
        List<Measurement> ms = FileDigestCollector.builder().path(dir.resolve("gone")).path(fifo)
                .path(Path.of("/dev/zero")).maxBytes(4 << 20).build().collect(CTX);
        assertEquals(List.of(Measurement.Status.ERROR, Measurement.Status.UNSUPPORTED, Measurement.Status.ERROR),
                ms.stream().map(Measurement::status).toList());
        assertEquals(List.of("no such file", "not a regular file, directory or device (FIFO or socket)",
                "larger than the limit of 4194304 bytes"),
                ms.stream().map(m -> m.message().orElseThrow()).toList());
    }

    @Test
    void devicesAreReadToTheirEnd() throws Exception {
        // /dev/null is a character device that ends at once.
        Measurement m = FileDigestCollector.builder().path(Path.of("/dev/null")).build().collect(CTX).get(0);
        assertEquals(Measurement.Status.OK, m.status());
        assertEquals(DigestAlgorithm.SHA_256.hash(new byte[0]), m.digest(DigestAlgorithm.SHA_256).orElseThrow());
    }

    @Test
    void blockDevicesAreMeasuredLikeAFirmwarePartition() throws Exception {
        byte[] image = new byte[2 << 20];
        new Random(3).nextBytes(image);
        Path img = Files.write(dir.resolve("partition.img"), image);
        Process attach = new ProcessBuilder("losetup", "-f", "--show", img.toString()).redirectErrorStream(true).start();
        String device = new String(attach.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        org.junit.jupiter.api.Assumptions.assumeTrue(attach.waitFor() == 0,
                "loop devices unavailable here (losetup: " + device + "); block device path not exercised");
        try {
            Measurement m = FileDigestCollector.builder().path(Path.of(device)).build().collect(CTX).get(0);
            assertEquals(Measurement.Status.OK, m.status(), m.toString());
            assertEquals(run("sha256sum", img.toString()).split(" ")[0], m.digest(DigestAlgorithm.SHA_256).orElseThrow().hex());
        } finally {
            run("losetup", "-d", device);
        }
    }

    @Test
    void aModifiedFileChangesItsDigest() throws Exception {
        Path f = Files.writeString(dir.resolve("app.conf"), "debug=false\n");
        FileDigestCollector c = FileDigestCollector.builder().path(f).build();
        Measurement before = c.collect(CTX).get(0);
        Files.writeString(f, "debug=true\n");
        Measurement after = c.collect(CTX).get(0);
        assertEquals(false, before.digests().equals(after.digests()));
    }
}
