package dev.attest.core.collectors;

import dev.attest.core.CollectionContext;
import dev.attest.core.Collector;
import dev.attest.core.ComponentId;
import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * The code a JVM runs beyond the JDK: every jar and class directory on its class path, module
 * path and appended boot class path, by digest; its vendor and version; and the input
 * arguments that change code at run time (java agents, native agents, boot class path
 * additions, module patches, a replaced system class loader) and whether the attach mechanism
 * (which lets another process load an agent) is enabled, reported as findings.
 *
 * <p>Reports, in layer {@link Layer#APPLICATION}:
 * <ul>
 * <li>{@code jvm} (version = {@code java.runtime.version}): texts {@code vendor},
 *     {@code vm-name}, {@code vm-version}, {@code runtime-version}, {@code java-home}; list
 *     {@code input-arguments}; list {@code findings}, each text one of
 *     {@code javaagent:<arg>}, {@code agentlib:<arg>}, {@code agentpath:<arg>},
 *     {@code bootclasspath-append:<paths>}, {@code bootclasspath:<paths>},
 *     {@code patch-module:<arg>}, {@code system-class-loader:<class>},
 *     {@code allow-attach-self}, {@code attach-enabled}; ints {@code javaagents},
 *     {@code native-agents}; bools {@code bootclasspath-append}, {@code attach-enabled}.
 *     Attach is enabled unless {@code -XX:+DisableAttachMechanism} (read from the VM option
 *     itself where HotSpot exposes it, else from the arguments).</li>
 * <li>one measurement per class path / module path / boot class path entry, named by its
 *     absolute path: digest = SHA-256 of a jar's bytes, or of a directory's canonical listing
 *     (for each regular file, in byte order of its relative path with {@code /} separators:
 *     the path, a NUL, its SHA-256, a newline; a symbolic link contributes
 *     {@code path -> target} and a newline instead of being followed; other file types are
 *     left out); values {@code path-kind} ({@code class-path}, {@code module-path},
 *     {@code boot-class-path-append}), {@code kind} ({@code jar}, {@code directory},
 *     {@code missing}), {@code size} (jar) or {@code files} (directory). A missing entry is
 *     reported, never dropped.</li>
 * </ul>
 * Cannot see: agents loaded later through attach, classes defined at run time (bytecode
 * generation, {@code Instrumentation.redefineClasses}), the JDK's own runtime image (measure
 * {@code java.home} with {@link FileDigestCollector}).
 */
public final class JvmRuntimeCollector implements Collector {
    /** Id of this collector. */
    public static final String ID = "jvm-runtime";
    /** Files digested per directory at most; a larger tree is an ERROR measurement. */
    public static final int MAX_DIRECTORY_FILES = 200_000;
    private static final int BUFFER = 1 << 16;

    /** Measures the current JVM (ServiceLoader entry point). */
    public JvmRuntimeCollector() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Measurement> collect(CollectionContext context) throws IOException {
        Instant time = context.time();
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        List<Measurement> out = new ArrayList<>();
        out.add(jvm(args, time));
        Map<Path, String> entries = new LinkedHashMap<>();
        addPaths(entries, System.getProperty("java.class.path", ""), "class-path");
        addPaths(entries, System.getProperty("jdk.module.path", ""), "module-path");
        for (String a : args) {
            if (a.startsWith("-Xbootclasspath/a:")) {
                addPaths(entries, a.substring("-Xbootclasspath/a:".length()), "boot-class-path-append");
            }
        }
        for (Map.Entry<Path, String> e : entries.entrySet()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("interrupted");
            }
            out.add(entry(e.getKey(), e.getValue(), time));
        }
        return out;
    }

    private static void addPaths(Map<Path, String> into, String list, String kind) {
        for (String p : list.split(File.pathSeparator)) {
            if (!p.isEmpty()) {
                into.putIfAbsent(Path.of(p).toAbsolutePath().normalize(), kind);
            }
        }
    }

    private static Measurement jvm(List<String> args, Instant time) {
        List<Value> findings = new ArrayList<>();
        int javaagents = 0;
        int nativeAgents = 0;
        boolean bootAppend = false;
        boolean attachDisabledArg = false;
        for (String a : args) {
            if (a.startsWith("-javaagent:")) {
                javaagents++;
                findings.add(new Value.Text("javaagent:" + a.substring(11)));
            } else if (a.startsWith("-agentlib:")) {
                nativeAgents++;
                findings.add(new Value.Text("agentlib:" + a.substring(10)));
            } else if (a.startsWith("-agentpath:")) {
                nativeAgents++;
                findings.add(new Value.Text("agentpath:" + a.substring(11)));
            } else if (a.startsWith("-Xbootclasspath/a:")) {
                bootAppend = true;
                findings.add(new Value.Text("bootclasspath-append:" + a.substring(18)));
            } else if (a.startsWith("-Xbootclasspath:")) {
                findings.add(new Value.Text("bootclasspath:" + a.substring(16)));
            } else if (a.startsWith("--patch-module=")) {
                findings.add(new Value.Text("patch-module:" + a.substring(15)));
            } else if (a.startsWith("-Djdk.module.patch.")) {
                // How the launcher passes --patch-module on to the VM.
                findings.add(new Value.Text("patch-module:" + a.substring(a.indexOf('=') + 1)));
            } else if (a.startsWith("-Djava.system.class.loader=")) {
                findings.add(new Value.Text("system-class-loader:" + a.substring(27)));
            } else if (a.equals("-Djdk.attach.allowAttachSelf=true") || a.equals("-Djdk.attach.allowAttachSelf")) {
                findings.add(new Value.Text("allow-attach-self"));
            } else if (a.equals("-XX:+DisableAttachMechanism")) {
                attachDisabledArg = true;
            } else if (a.equals("-XX:-DisableAttachMechanism")) {
                attachDisabledArg = false;
            }
        }
        boolean attach = !vmFlag("DisableAttachMechanism").orElse(attachDisabledArg);
        if (attach) {
            findings.add(new Value.Text("attach-enabled"));
        }
        String version = System.getProperty("java.runtime.version", System.getProperty("java.version", "unknown"));
        return Measurement.builder(ComponentId.of("jvm", version), Layer.APPLICATION).collector(ID).time(time)
                .value("vendor", System.getProperty("java.vm.vendor", ""))
                .value("vm-name", System.getProperty("java.vm.name", ""))
                .value("vm-version", System.getProperty("java.vm.version", ""))
                .value("runtime-version", version)
                .value("java-home", System.getProperty("java.home", ""))
                .value("input-arguments", new Value.ListValue(args.stream().map(Value.Text::new)
                        .collect(Collectors.toList())))
                .value("findings", new Value.ListValue(findings))
                .value("javaagents", javaagents).value("native-agents", nativeAgents)
                .value("bootclasspath-append", bootAppend).value("attach-enabled", attach).build();
    }

    /** A boolean HotSpot VM option, through the HotSpotDiagnostic MBean; empty where absent. */
    private static java.util.Optional<Boolean> vmFlag(String name) {
        try {
            Object r = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=HotSpotDiagnostic"), "getVMOption",
                    new Object[] {name}, new String[] {String.class.getName()});
            return java.util.Optional.of(Boolean.parseBoolean(String.valueOf(((CompositeData) r).get("value"))));
        } catch (JMException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static Measurement entry(Path p, String pathKind, Instant time) {
        ComponentId c = ComponentId.of(p.toString());
        Measurement.Builder b = Measurement.builder(c, Layer.APPLICATION).collector(ID).time(time)
                .value("path-kind", pathKind);
        try {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                long[] files = {0};
                b.digest(directoryDigest(p, files)).value("kind", "directory").value("files", files[0]);
            } else if (Files.isRegularFile(p)) {
                b.digest(fileDigest(p)).value("kind", "jar").value("size", Files.size(p));
            } else if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                b.value("kind", "missing");
            } else {
                b.value("kind", "other").status(Measurement.Status.ERROR, p + " is neither a file nor a directory");
            }
            return b.build();
        } catch (IOException | IllegalStateException e) {
            return b.status(Measurement.Status.ERROR, "cannot digest " + p + ": " + e).build();
        }
    }

    private static Digest fileDigest(Path p) throws IOException {
        MessageDigest md = DigestAlgorithm.SHA_256.newMessageDigest();
        byte[] buf = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
            }
        }
        return new Digest(DigestAlgorithm.SHA_256, md.digest());
    }

    private static Digest directoryDigest(Path dir, long[] count) throws IOException {
        List<String> names;
        try (Stream<Path> s = Files.walk(dir)) {
            names = s.filter(q -> !Files.isDirectory(q, LinkOption.NOFOLLOW_LINKS))
                    .map(q -> dir.relativize(q).toString().replace(File.separatorChar, '/'))
                    .limit(MAX_DIRECTORY_FILES + 1L).collect(Collectors.toList());
        }
        if (names.size() > MAX_DIRECTORY_FILES) {
            throw new IllegalStateException("more than " + MAX_DIRECTORY_FILES + " files");
        }
        // Byte order of the UTF-8 names, the same on every platform.
        names.sort((x, y) -> java.util.Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8),
                y.getBytes(StandardCharsets.UTF_8)));
        MessageDigest md = DigestAlgorithm.SHA_256.newMessageDigest();
        for (String n : names) {
            Path q = dir.resolve(n);
            if (Files.isSymbolicLink(q)) {
                md.update(n.getBytes(StandardCharsets.UTF_8));
                md.update(" -> ".getBytes(StandardCharsets.UTF_8));
                md.update(Files.readSymbolicLink(q).toString().getBytes(StandardCharsets.UTF_8));
            } else if (Files.isRegularFile(q, LinkOption.NOFOLLOW_LINKS)) {
                md.update(n.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(fileDigest(q).value());
                count[0]++;
            } else {
                continue;
            }
            md.update((byte) '\n');
        }
        return new Digest(DigestAlgorithm.SHA_256, md.digest());
    }

    @Override
    public String toString() {
        return "JvmRuntimeCollector";
    }
}
