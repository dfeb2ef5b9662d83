package dev.attest.core.internal.proc;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The HotSpot code cache of the current JVM: the address bounds of each code heap, read from the
 * {@code Compiler.codecache} diagnostic command (the same text {@code jcmd PID
 * Compiler.codecache} prints), whose heaps are the {@code "CodeHeap ..."} memory pools of
 * {@link java.lang.management.MemoryPoolMXBean}. HotSpot reserves one range for all heaps and
 * commits each heap from its low bound upward, mapped {@code rwxp} on Linux/x86-64.
 */
public final class CodeCache {
    /**
     * One code heap.
     *
     * @param name e.g. {@code CodeHeap 'non-nmethods'} (or {@code CodeCache} when not segmented)
     * @param low first address
     * @param highCommitted end of the committed part
     * @param highReserved end of the reserved part
     */
    public record Heap(String name, long low, long highCommitted, long highReserved) {
        public boolean contains(long start, long end) {
            return Long.compareUnsigned(start, highReserved) < 0 && Long.compareUnsigned(end, low) > 0;
        }
    }

    private static final Pattern HEAP = Pattern.compile(
            "^(CodeHeap '[^']*'|CodeCache):.*?\\n\\s*bounds \\[0x([0-9a-f]+), 0x([0-9a-f]+), 0x([0-9a-f]+)\\]",
            Pattern.MULTILINE);

    private CodeCache() {
    }

    /**
     * The heaps of this JVM's code cache; empty when the diagnostic command is not available
     * (not HotSpot, or {@code jdk.management} not in the runtime image).
     */
    public static List<Heap> ofCurrentJvm() {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerCodecache",
                    new Object[] {null}, new String[] {String[].class.getName()});
            return parse(String.valueOf(text));
        } catch (JMException | RuntimeException e) {
            return List.of();
        }
    }

    /** Parses the output of {@code Compiler.codecache}. */
    public static List<Heap> parse(String text) {
        List<Heap> out = new ArrayList<>();
        Matcher m = HEAP.matcher(text);
        while (m.find()) {
            out.add(new Heap(m.group(1), Long.parseUnsignedLong(m.group(2), 16),
                    Long.parseUnsignedLong(m.group(3), 16), Long.parseUnsignedLong(m.group(4), 16)));
        }
        return List.copyOf(out);
    }
}
