package dev.attest.bench.footprint;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Runs inside the measured agent process: starts the agent's main class and answers the
 * {@link AgentFootprint} harness on stdin/stdout. {@code sample} prints the process CPU time
 * (ns), the bytes allocated since start (eden filled: the eden emptied by each young collection,
 * summed from the GC notifications, plus the eden in use now), heap in use and RSS; {@code gc}
 * runs a full collection and prints the heap still in use (the live heap). Uses only the JDK, and
 * nothing of the agent, so it measures the agent as it ships. Top-level class without nested
 * classes: the harness copies this one class file next to the agent's class path. When stdin
 * closes (the harness exited), the process exits.
 */
public final class AgentProbe {
    private static final AtomicLong EDEN_COLLECTED = new AtomicLong();

    private AgentProbe() {
    }

    /** {@code AgentProbe MAIN-CLASS ARGS...}. */
    public static void main(String[] args) throws Throwable {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
                if (n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
                            .from((CompositeData) n.getUserData());
                    EDEN_COLLECTED.addAndGet(eden(info.getGcInfo().getMemoryUsageBeforeGc())
                            - eden(info.getGcInfo().getMemoryUsageAfterGc()));
                }
            }, null, null);
        }
        Thread t = new Thread(AgentProbe::answer, "footprint-probe");
        t.setDaemon(true);
        t.start();
        Class.forName(args[0]).getMethod("main", String[].class)
                .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }

    private static long eden(Map<String, MemoryUsage> pools) {
        long sum = 0;
        for (Map.Entry<String, MemoryUsage> e : pools.entrySet()) {
            if (e.getKey().contains("Eden")) {
                sum += e.getValue().getUsed();
            }
        }
        return sum;
    }

    private static void answer() {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<Long, Long> lastByThread = new java.util.HashMap<>();
        long threadAlloc = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String cmd = in.readLine(); cmd != null; cmd = in.readLine()) {
                if (cmd.equals("gc")) {
                    System.gc();
                    System.gc();
                    Thread.sleep(200);
                }
                long edenNow = 0;
                for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (p.getName().contains("Eden")) {
                        edenNow += p.getUsage().getUsed();
                    }
                }
                // Bytes every thread allocated since the last answer (a thread that ended in
                // between is missed: the agent's threads are pooled and live across cycles).
                long[] ids = threads.getAllThreadIds();
                long[] bytes = threads.getThreadAllocatedBytes(ids);
                java.util.HashMap<Long, Long> now = new java.util.HashMap<>();
                for (int i = 0; i < ids.length; i++) {
                    if (bytes[i] >= 0) {
                        now.put(ids[i], bytes[i]);
                        threadAlloc += Math.max(0, bytes[i] - lastByThread.getOrDefault(ids[i], 0L));
                    }
                }
                lastByThread = now;
                MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                System.out.println("probe " + cmd + " cpu_ns=" + os.getProcessCpuTime() + " alloc=" + threadAlloc
                        + " alloc_eden=" + (EDEN_COLLECTED.get() + edenNow) + " heap_used=" + heap.getUsed() + " heap_committed="
                        + heap.getCommitted() + " rss_kb=" + rssKb());
                System.out.flush();
            }
        } catch (Exception e) {
            System.out.println("probe failed " + e);
        }
        // The harness is gone (stdin closed): no agent is left running behind it.
        System.exit(0);
    }

    private static long rssKb() throws java.io.IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
