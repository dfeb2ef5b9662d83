package dev.attest.core.collectors;

import static dev.attest.core.collectors.ProcessMemoryCollectorIT.CTX;
import static dev.attest.core.collectors.ProcessMemoryCollectorIT.bool;
import static dev.attest.core.collectors.ProcessMemoryCollectorIT.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real process with anonymous RWX and R-X memory (C helper built with gcc), and this JVM. */
class MemoryProtectionCollectorIT {
    static Path helper;
    static Path execStackHelper;
    Process child;

    @BeforeAll
    static void compile() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "skipped: no /proc/self/maps");
        Path src = Path.of("src/test/c/rwx_helper.c").toAbsolutePath();
        Path out = Path.of("target/test-helpers").toAbsolutePath();
        Files.createDirectories(out);
        helper = out.resolve("rwx_helper");
        execStackHelper = out.resolve("rwx_helper_execstack");
        gcc(src, helper);
        gcc(src, execStackHelper, "-z", "execstack");
    }

    private static void gcc(Path src, Path out, String... extra) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("gcc", "-O1", "-o", out.toString(), src.toString()));
        cmd.addAll(List.of(extra));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("skipped: gcc not available (apt-get install gcc): " + e.getMessage());
            return;
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);
    }

    @AfterEach
    void stop() throws Exception {
        if (child != null) {
            child.destroyForcibly().waitFor();
        }
    }

    private long[] startHelper(Path binary) throws Exception {
        child = new ProcessBuilder(binary.toString()).start();
        String line = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        String[] parts = line.split(" ");
        return new long[] {Long.parseUnsignedLong(parts[0], 16), Long.parseUnsignedLong(parts[1], 16)};
    }

    private static List<String> findings(Measurement m) {
        return ((Value.ListValue) m.value("findings").orElseThrow()).values().stream()
                .map(v -> ((Value.Text) v).value()).collect(Collectors.toList());
    }

    private static Measurement at(List<Measurement> ms, long start) {
        return ms.stream().skip(1).filter(m -> integer(m, "start") <= start && start < integer(m, "end"))
                .findFirst().orElseThrow(() -> new AssertionError("no flagged mapping at " + Long.toHexString(start) + ": " + ms));
    }

    @Test
    void anonymousRwxAndRxRegionsOfAChildAreFlagged() throws Exception {
        long[] addr = startHelper(helper);
        List<Measurement> ms = MemoryProtectionCollector.of(child.pid()).collect(CTX);
        Measurement summary = ms.get(0);
        assertEquals("memory-protection:" + child.pid(), summary.component().name());
        assertEquals(Layer.MEMORY, summary.layer());
        assertEquals(1, integer(summary, "wx-mappings"), ms.toString());
        assertEquals(2, integer(summary, "anon-exec-mappings"), ms.toString());
        assertEquals(2, integer(summary, "unexplained-mappings"));
        assertEquals(0, integer(summary, "jit-mappings"));
        assertFalse(bool(summary, "jit-identified"), "code cache is only known for the own JVM");
        assertFalse(bool(summary, "stack-exec"));
        Measurement rwx = at(ms, addr[0]);
        assertEquals(List.of("writable-executable", "anonymous-executable"), findings(rwx));
        assertEquals("rwxp", ((Value.Text) rwx.value("perms").orElseThrow()).value());
        assertFalse(bool(rwx, "jit-code-cache"));
        assertTrue(rwx.component().name().startsWith("[anon]@"));
        Measurement rx = at(ms, addr[1]);
        assertEquals(List.of("anonymous-executable"), findings(rx));
        assertEquals("r-xp", ((Value.Text) rx.value("perms").orElseThrow()).value());
    }

    @Test
    void executableStackIsFlagged() throws Exception {
        startHelper(execStackHelper);
        List<Measurement> ms = MemoryProtectionCollector.of(child.pid()).collect(CTX);
        assertTrue(bool(ms.get(0), "stack-exec"), ms.toString());
        Measurement stack = ms.stream().filter(m -> m.component().name().startsWith("[stack]@")).findFirst().orElseThrow();
        assertEquals(List.of("writable-executable", "stack-executable"), findings(stack));
    }

    @Test
    void ownJitCodeCacheIsNamedAndNothingElseIsFlagged() throws Exception {
        List<Measurement> ms = new MemoryProtectionCollector().collect(CTX);
        Measurement summary = ms.get(0);
        assertTrue(bool(summary, "jit-identified"));
        assertEquals(0, integer(summary, "unexplained-mappings"), ms.toString());
        assertTrue(integer(summary, "jit-mappings") >= 1, ms.toString());
        Set<String> named = new TreeSet<>();
        for (Measurement m : ms.subList(1, ms.size())) {
            assertTrue(bool(m, "jit-code-cache"), m.toString());
            assertEquals(List.of("writable-executable", "anonymous-executable"), findings(m));
            ((Value.ListValue) m.value("code-heaps").orElseThrow()).values()
                    .forEach(v -> named.add(((Value.Text) v).value()));
        }
        // The heaps named are the JVM's own "CodeHeap ..." memory pools.
        Set<String> pools = ManagementFactory.getMemoryPoolMXBeans().stream().map(MemoryPoolMXBean::getName)
                .filter(n -> n.startsWith("CodeHeap") || n.equals("CodeCache")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(pools, named);
    }
}
