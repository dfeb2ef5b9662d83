package dev.attest.core.collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.CollectionContext;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes: measure, patch code through /proc/PID/mem, delete and replace binaries. */
class ProcessMemoryCollectorIT {
    static final CollectionContext CTX = CollectionContext.of(1, Instant.parse("2026-11-24T00:00:00Z"),
            Duration.ofSeconds(60));

    @TempDir
    Path dir;
    Process child;

    @BeforeEach
    void procAvailable() {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/mem")),
                "skipped: /proc/self/mem is not readable here (no procfs or no ptrace access)");
    }

    @AfterEach
    void stop() throws Exception {
        if (child != null) {
            child.destroyForcibly().waitFor();
        }
    }

    private Process start(Path binary) throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "600").start();
        // Wait until the dynamic loader has mapped the binary and libc.
        for (int i = 0; i < 200; i++) {
            String maps = Files.readString(Path.of("/proc/" + p.pid() + "/maps"));
            if (maps.contains("libc.so") && maps.contains(binary.toString())) {
                Thread.sleep(50);
                return p;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("child never mapped libc");
    }

    /**
     * A deleted mapping's bytes come from {@code /proc/PID/map_files}, which the kernel opens only
     * for a process with CAP_SYS_ADMIN (root here): without it, the comparison cannot run.
     */
    static void assumeMapFilesReadable() throws java.io.IOException {
        Path first;
        try (java.util.stream.Stream<Path> s = Files.list(Path.of("/proc/self/map_files"))) {
            first = s.findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.READ)) {
            ch.size();
        } catch (java.io.IOException e) {
            String msg = "skipped: /proc/PID/map_files needs CAP_SYS_ADMIN (run as root): " + e;
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(msg, e);
            }
            Assumptions.abort(msg);
        }
    }

    static String text(Measurement m, String name) {
        return ((Value.Text) m.value(name).orElseThrow()).value();
    }

    static long integer(Measurement m, String name) {
        return ((Value.Int) m.value(name).orElseThrow()).value();
    }

    static boolean bool(Measurement m, String name) {
        return ((Value.Bool) m.value(name).orElseThrow()).value();
    }

    private static Measurement mappingOf(List<Measurement> ms, String path) {
        List<Measurement> hits = ms.stream().filter(m -> m.component().name().equals(path)).collect(Collectors.toList());
        assertEquals(1, hits.size(), "executable mappings of " + path + ": " + hits);
        return hits.get(0);
    }

    @Test
    void patchedCodeInChildIsReportedAsMismatch() throws Exception {
        Path sleep = Path.of("/usr/bin/sleep").toRealPath();
        child = start(sleep);
        ProcessMemoryCollector c = ProcessMemoryCollector.of(child.pid());
        assertEquals("process-memory-" + child.pid(), c.id());
        List<Measurement> before = c.collect(CTX);
        Measurement summary = before.get(0);
        assertEquals("process:" + child.pid(), summary.component().name());
        assertEquals(sleep.toString(), text(summary, "exe"));
        assertEquals(0, integer(summary, "mismatched-mappings"), before.toString());
        assertTrue(integer(summary, "executable-mappings") >= 3, before.toString()); // sleep, libc, ld.so
        Measurement code = mappingOf(before, sleep.toString());
        assertEquals(Measurement.Status.OK, code.status());
        assertEquals(Layer.PROCESS, code.layer());
        assertTrue(bool(code, "match"));
        assertEquals("file", text(code, "backing"));
        // The on-disk digest equals an independent digest of the file range.
        long off = integer(code, "file-offset");
        long len = integer(code, "length");
        byte[] file = Files.readAllBytes(sleep);
        byte[] range = java.util.Arrays.copyOfRange(file, (int) off, (int) (off + len));
        assertEquals(DigestAlgorithm.SHA_256.hash(range), code.digest(DigestAlgorithm.SHA_256).orElseThrow());

        // Patch one byte of the child's code (root may write r-x pages through /proc/PID/mem).
        long target = integer(code, "map-start") + 100;
        try (FileChannel mem = FileChannel.open(Path.of("/proc/" + child.pid() + "/mem"), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            mem.read(b, target);
            byte flipped = (byte) (b.get(0) ^ 0x5a);
            mem.write(ByteBuffer.wrap(new byte[] {flipped}), target);
        } catch (java.io.IOException e) {
            Assumptions.abort("skipped: writing /proc/PID/mem not permitted here: " + e);
        }
        List<Measurement> after = c.collect(CTX);
        Measurement patched = mappingOf(after, sleep.toString());
        assertFalse(bool(patched, "match"));
        assertEquals(1, integer(patched, "differing-bytes"));
        assertEquals(100, integer(patched, "first-difference"));
        assertEquals(code.digest(DigestAlgorithm.SHA_256), patched.digest(DigestAlgorithm.SHA_256), "disk unchanged");
        assertEquals(1, integer(after.get(0), "mismatched-mappings"));
    }

    @Test
    void binaryReplacedByRenameIsReportedDeletedAndStillCompared() throws Exception {
        assumeMapFilesReadable();
        Path copy = dir.resolve("sleepcopy");
        Files.copy(Path.of("/usr/bin/sleep"), copy);
        copy.toFile().setExecutable(true);
        child = start(copy);
        // A new inode renamed over the path: the kernel marks the mapped dentry "(deleted)".
        Path other = dir.resolve("other");
        Files.write(other, new byte[] {1, 2, 3});
        Files.move(other, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        List<Measurement> ms = ProcessMemoryCollector.of(child.pid()).collect(CTX);
        Measurement d = mappingOf(ms, copy.toString());
        assertEquals("deleted", text(d, "backing"), d.toString());
        assertTrue(bool(d, "match"), "compared against the mapped inode via map_files");
        assertEquals(1, integer(ms.get(0), "deleted-mappings"));
        assertEquals(0, integer(ms.get(0), "replaced-mappings"));
    }

    @Test
    void binaryShadowedByBindMountIsReportedReplaced() throws Exception {
        Path copy = dir.resolve("sleepcopy");
        Files.copy(Path.of("/usr/bin/sleep"), copy);
        copy.toFile().setExecutable(true);
        child = start(copy);
        Path other = Files.write(dir.resolve("other"), new byte[] {1, 2, 3});
        // The path now names another inode, but the mapped dentry is not deleted: only the
        // device/inode comparison can tell.
        Process mount = new ProcessBuilder("mount", "--bind", other.toString(), copy.toString())
                .redirectErrorStream(true).start();
        String out = new String(mount.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        Assumptions.assumeTrue(mount.waitFor() == 0, "skipped: bind mount not permitted here: " + out);
        try {
            List<Measurement> ms = ProcessMemoryCollector.of(child.pid()).collect(CTX);
            Measurement r = mappingOf(ms, copy.toString());
            assertEquals("replaced", text(r, "backing"), r.toString());
            assertTrue(bool(r, "match"), "compared against the mapped inode via map_files");
            assertEquals(1, integer(ms.get(0), "replaced-mappings"));
        } finally {
            new ProcessBuilder("umount", copy.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void ownJvmLibrariesMatchTheirFilesInMemory() throws Exception {
        List<Measurement> ms = new ProcessMemoryCollector().collect(CTX);
        Measurement summary = ms.get(0);
        assertEquals("process:" + ProcessHandle.current().pid(), summary.component().name());
        // Observed on this machine (Debian 12, OpenJDK 17): the .text of libjvm.so and every other
        // library is position-independent and identical to the file; the loader writes only
        // to the GOT/data pages, which are not executable.
        Measurement jvm = ms.stream().filter(m -> m.component().name().endsWith("/libjvm.so")).findFirst().orElseThrow();
        assertTrue(bool(jvm, "match"), jvm.toString());
        assertEquals(0, integer(summary, "mismatched-mappings"), ms.stream().filter(m -> m.value("match")
                .equals(java.util.Optional.of(new Value.Bool(false)))).collect(Collectors.toList()).toString());
        assertEquals(0, integer(summary, "unreadable-mappings"));
    }

    /** Writes one byte of the child's memory through /proc/PID/mem (root may write r-x pages). */
    private void poke(long address, byte value) throws Exception {
        try (FileChannel mem = FileChannel.open(Path.of("/proc/" + child.pid() + "/mem"), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            mem.write(ByteBuffer.wrap(new byte[] {value}), address);
        } catch (java.io.IOException e) {
            Assumptions.abort("skipped: writing /proc/PID/mem not permitted here: " + e);
        }
    }

    @Test
    void resultsAreTheSameWithAndWithoutTheFileDigestCache() throws Exception {
        Path sleep = Path.of("/usr/bin/sleep").toRealPath();
        child = start(sleep);
        ProcessMemoryCollector cached = ProcessMemoryCollector.of(child.pid());
        ProcessMemoryCollector uncached = cached.withoutFileDigestCache();
        assertEquals(cached.id(), uncached.id());
        List<Measurement> reference = uncached.collect(CTX);
        assertEquals(0, uncached.cachedFileDigests());
        assertEquals(reference, cached.collect(CTX), "cache empty: every range read");
        long executable = integer(reference.get(0), "executable-mappings");
        assertEquals(executable, cached.cachedFileDigests(), "one entry per executable mapping");
        assertEquals(reference, cached.collect(CTX), "every on-disk digest from the cache");
        // Patched memory: the cached digest no longer matches, the file is compared byte by byte again.
        Measurement code = mappingOf(reference, sleep.toString());
        long target = integer(code, "map-start") + 100;
        byte original = Files.readAllBytes(sleep)[(int) integer(code, "file-offset") + 100];
        poke(target, (byte) (original ^ 0x5a));
        List<Measurement> patched = cached.collect(CTX);
        assertEquals(uncached.collect(CTX), patched);
        assertEquals(1, integer(mappingOf(patched, sleep.toString()), "differing-bytes"));
        assertEquals(100, integer(mappingOf(patched, sleep.toString()), "first-difference"));
    }

    @Test
    void fileRewrittenWithItsOldSizeAndModificationTimeIsHashedAgain() throws Exception {
        // The copy is mapped by the dynamic loader, not exec'd, so the kernel lets it be written.
        Path copy = dir.resolve("sleepcopy");
        Files.copy(Path.of("/usr/bin/sleep"), copy);
        String loader = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.matches(".* /\\S*/ld-linux[^/]*\\.so\\.2$")).map(l -> l.substring(l.indexOf('/')))
                .findFirst().orElse(null);
        Assumptions.assumeTrue(loader != null, "skipped: no glibc dynamic loader (ld-linux*.so.2) mapped here");
        Process p = new ProcessBuilder(loader, copy.toString(), "600").start();
        child = p;
        for (int i = 0; i < 200 && !Files.readString(Path.of("/proc/" + p.pid() + "/maps")).contains("libc.so"); i++) {
            Thread.sleep(10);
        }
        Thread.sleep(50);
        ProcessMemoryCollector c = ProcessMemoryCollector.of(p.pid());
        Measurement before = mappingOf(c.collect(CTX), copy.toString());
        assertTrue(bool(before, "match"), before.toString());
        assertEquals("file", text(before, "backing"));
        long offset = integer(before, "file-offset");
        long length = integer(before, "length");
        long address = integer(before, "map-start") + 100;
        // Make the page the child runs private (copy-on-write) with its original bytes, so that the
        // memory keeps the old code while the file changes: the memory still matches the old digest.
        byte original = Files.readAllBytes(copy)[(int) offset + 100];
        poke(address, (byte) (original ^ 0x5a));
        poke(address, original);
        Object mtime = Files.getAttribute(copy, "unix:lastModifiedTime");
        Object ctime = Files.getAttribute(copy, "unix:ctime");
        long size = Files.size(copy);
        try (FileChannel f = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.wrap(new byte[] {(byte) (original ^ 0x5a)}), offset + 100);
        }
        java.nio.file.attribute.FileTime t = (java.nio.file.attribute.FileTime) mtime;
        java.time.Instant i = t.toInstant();
        Process touch = new ProcessBuilder("touch", "-m", "-d",
                String.format("@%d.%09d", i.getEpochSecond(), i.getNano()), copy.toString()).inheritIO().start();
        assertEquals(0, touch.waitFor());
        assertEquals(mtime, Files.getAttribute(copy, "unix:lastModifiedTime"), "mtime put back");
        assertEquals(size, Files.size(copy));
        assertFalse(ctime.equals(Files.getAttribute(copy, "unix:ctime")), "ctime moved");

        List<Measurement> after = c.collect(CTX);
        Measurement m = mappingOf(after, copy.toString());
        byte[] range = java.util.Arrays.copyOfRange(Files.readAllBytes(copy), (int) offset, (int) (offset + length));
        assertEquals(DigestAlgorithm.SHA_256.hash(range), m.digest(DigestAlgorithm.SHA_256).orElseThrow(),
                "the on-disk digest is of the rewritten file");
        assertFalse(before.digest(DigestAlgorithm.SHA_256).equals(m.digest(DigestAlgorithm.SHA_256)));
        assertFalse(bool(m, "match"));
        assertEquals(1, integer(m, "differing-bytes"));
        assertEquals(100, integer(m, "first-difference"));
        assertEquals(c.withoutFileDigestCache().collect(CTX), after);
    }

    @Test
    void missingProcessIsUnsupportedWithReason() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long gone = p.pid();
        List<Measurement> ms = ProcessMemoryCollector.of(gone).collect(CTX);
        assertEquals(1, ms.size());
        assertEquals(Measurement.Status.UNSUPPORTED, ms.get(0).status());
        assertTrue(ms.get(0).message().orElseThrow().contains("/proc/" + gone + "/maps does not exist"));
    }
}
