package dev.attest.core.collectors;

import dev.attest.core.CollectionContext;
import dev.attest.core.Collector;
import dev.attest.core.ComponentId;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.core.internal.proc.CodeCache;
import dev.attest.core.internal.proc.MapsEntry;
import dev.attest.core.internal.proc.ProcFormatException;
import dev.attest.core.internal.proc.ProcMaps;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Page-table integrity of a process, from the protections in {@code /proc/PID/maps} (proc(5)):
 * memory that is writable and executable at once, executable memory with no file behind it,
 * executable mappings of deleted files, and an executable stack or heap. These are where
 * injected code lives. The JVM's JIT code cache is legitimately anonymous and
 * writable+executable: for the current JVM the collector names it (by the code heap bounds the
 * {@code Compiler.codecache} diagnostic command reports, the heaps of the {@code "CodeHeap ..."}
 * memory pools) so that a policy can allow exactly that and nothing else.
 *
 * <p>Reports, in layer {@link Layer#MEMORY}:
 * <ul>
 * <li>a summary {@code memory-protection:<pid>} with the ints {@code pid}, {@code mappings},
 *     {@code wx-mappings}, {@code anon-exec-mappings}, {@code deleted-exec-mappings},
 *     {@code jit-mappings}, {@code unexplained-mappings} (flagged mappings outside the JIT code
 *     cache) and the bools {@code stack-exec}, {@code heap-exec}, {@code jit-identified}
 *     (whether the code cache bounds were known: only for the current JVM);</li>
 * <li>one measurement per flagged mapping, named {@code <path or [pseudo] or [anon]>@<start>-<end>}
 *     (hex), with {@code start}, {@code end} (ints), {@code perms}, {@code path} (texts),
 *     {@code findings} (list of texts from {@code writable-executable},
 *     {@code anonymous-executable}, {@code deleted-executable}, {@code stack-executable},
 *     {@code heap-executable}), {@code jit-code-cache} (bool) and, when true,
 *     {@code code-heaps} (list of the code heap names the mapping overlaps).</li>
 * </ul>
 * The kernel's own {@code [vdso]} and {@code [vsyscall]} are executable by design and not
 * flagged. When the process does not exist or its maps cannot be read, one UNSUPPORTED
 * measurement says why.
 */
public final class MemoryProtectionCollector implements Collector {
    /** Id of the collector for the own process. */
    public static final String DEFAULT_ID = "memory-protection";
    private static final Set<String> KERNEL_EXEC = Set.of("[vdso]", "[vsyscall]", "[uprobes]");

    private final String id;
    private final long pid;

    /** Inspects the current process (ServiceLoader entry point). */
    public MemoryProtectionCollector() {
        this(DEFAULT_ID, -1);
    }

    private MemoryProtectionCollector(String id, long pid) {
        this.id = Collector.checkId(id);
        this.pid = pid;
    }

    /**
     * Inspects process {@code pid}; the id is {@code memory-protection-<pid>}. The JIT code cache
     * is named only when {@code pid} is the current process.
     *
     * @param pid the process id
     * @return the collector
     * @throws IllegalArgumentException if {@code pid < 1}
     */
    public static MemoryProtectionCollector of(long pid) {
        if (pid < 1) {
            throw new IllegalArgumentException("pid must be >= 1");
        }
        return new MemoryProtectionCollector(DEFAULT_ID + "-" + pid, pid);
    }

    @Override
    public String id() {
        return id;
    }

    /**
     * The process inspected.
     *
     * @return the process id
     */
    public long pid() {
        return pid < 0 ? ProcessHandle.current().pid() : pid;
    }

    @Override
    public List<Measurement> collect(CollectionContext context) throws IOException {
        long p = pid();
        Instant time = context.time();
        ComponentId summaryId = ComponentId.of("memory-protection:" + p);
        boolean self = p == ProcessHandle.current().pid();
        // Read the code cache bounds before the maps, so a heap committed in between is still inside.
        List<CodeCache.Heap> heaps = self ? CodeCache.ofCurrentJvm() : List.of();
        List<MapsEntry> maps;
        try {
            maps = ProcMaps.read(p);
        } catch (NoSuchFileException e) {
            return List.of(Measurement.unsupported(id, summaryId, Layer.MEMORY, time,
                    "/proc/" + p + "/maps does not exist (no procfs, or no such process)"));
        } catch (AccessDeniedException e) {
            return List.of(Measurement.unsupported(id, summaryId, Layer.MEMORY, time,
                    "not permitted to read /proc/" + p + "/maps"));
        } catch (ProcFormatException e) {
            return List.of(Measurement.error(id, summaryId, Layer.MEMORY, time, e.getMessage()));
        }
        List<Measurement> out = new ArrayList<>();
        int wx = 0;
        int anonExec = 0;
        int deletedExec = 0;
        int jit = 0;
        int unexplained = 0;
        boolean stackExec = false;
        boolean heapExec = false;
        for (MapsEntry e : maps) {
            if (!e.executable()) {
                continue;
            }
            String pseudo = e.pseudo().orElse("");
            if (KERNEL_EXEC.contains(pseudo)) {
                continue;
            }
            List<Value> findings = new ArrayList<>();
            if (e.writable()) {
                findings.add(new Value.Text("writable-executable"));
                wx++;
            }
            if (pseudo.startsWith("[stack")) {
                findings.add(new Value.Text("stack-executable"));
                stackExec = true;
            } else if (pseudo.equals("[heap]")) {
                findings.add(new Value.Text("heap-executable"));
                heapExec = true;
            } else if (!e.fileBacked()) {
                findings.add(new Value.Text("anonymous-executable"));
                anonExec++;
            }
            if (e.deleted()) {
                findings.add(new Value.Text("deleted-executable"));
                deletedExec++;
            }
            if (findings.isEmpty()) {
                continue;
            }
            List<Value> inHeaps = new ArrayList<>();
            if (!e.fileBacked() && pseudo.isEmpty()) {
                for (CodeCache.Heap h : heaps) {
                    if (h.contains(e.start(), e.end())) {
                        inHeaps.add(new Value.Text(h.name()));
                    }
                }
            }
            boolean isJit = !inHeaps.isEmpty();
            if (isJit) {
                jit++;
            } else {
                unexplained++;
            }
            String what = e.fileBacked() || !pseudo.isEmpty() ? e.pathname() : "[anon]";
            Measurement.Builder b = Measurement.builder(ComponentId.of(what + "@" + e.range()), Layer.MEMORY)
                    .collector(id).time(time)
                    .value("start", e.start()).value("end", e.end()).value("perms", e.perms())
                    .value("path", e.pathname()).value("findings", new Value.ListValue(findings))
                    .value("jit-code-cache", isJit);
            if (isJit) {
                b.value("code-heaps", new Value.ListValue(inHeaps));
            }
            out.add(b.build());
        }
        out.add(0, Measurement.builder(summaryId, Layer.MEMORY).collector(id).time(time)
                .value("pid", p).value("mappings", maps.size()).value("wx-mappings", wx)
                .value("anon-exec-mappings", anonExec).value("deleted-exec-mappings", deletedExec)
                .value("jit-mappings", jit).value("unexplained-mappings", unexplained)
                .value("stack-exec", stackExec).value("heap-exec", heapExec)
                .value("jit-identified", !heaps.isEmpty()).build());
        return out;
    }

    @Override
    public String toString() {
        return "MemoryProtectionCollector[" + id + ", pid=" + (pid < 0 ? "self" : Long.toString(pid)) + "]";
    }
}
