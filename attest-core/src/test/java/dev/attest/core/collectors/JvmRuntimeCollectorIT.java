package dev.attest.core.collectors;

import static dev.attest.core.collectors.ImaCollectorTest.CTX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Child JVMs started with and without a java agent built at test time; this JVM's class path. */
class JvmRuntimeCollectorIT {
    @TempDir
    Path dir;

    private Path buildAgentJar() throws Exception {
        Path src = dir.resolve("src/probe/Agent.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package probe;\npublic final class Agent {\n"
                + "  public static void premain(String a, java.lang.instrument.Instrumentation i) {\n"
                + "    System.setProperty(\"probe.agent.ran\", \"yes\");\n  }\n}\n");
        Path classes = Files.createDirectories(dir.resolve("agent-classes"));
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "javac").toString(), "-d", classes.toString(),
                src.toString()));
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(new Attributes.Name("Premain-Class"), "probe.Agent");
        Path jar = dir.resolve("agent.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            out.putNextEntry(new JarEntry("probe/Agent.class"));
            out.write(Files.readAllBytes(classes.resolve("probe/Agent.class")));
            out.closeEntry();
        }
        return jar;
    }

    private List<String> probe(String... jvmArgs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JvmRuntimeProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().collect(Collectors.toList());
    }

    @Test
    void javaagentAndBootClassPathAppendAreFlagged() throws Exception {
        Path agent = buildAgentJar();
        Path boot = Files.createDirectories(dir.resolve("boot"));
        List<String> out = probe("-javaagent:" + agent, "-Xbootclasspath/a:" + boot, "-XX:+DisableAttachMechanism");
        assertEquals(List.of("finding javaagent:" + agent, "finding bootclasspath-append:" + boot, "javaagents 1",
                "attach false", "agent-ran yes"), out.stream().filter(l -> !l.startsWith("[")).collect(Collectors.toList()));
    }

    @Test
    void plainJvmHasOnlyAttachEnabled() throws Exception {
        List<String> out = probe("-Xmx64m");
        assertEquals(List.of("finding attach-enabled", "javaagents 0", "attach true", "agent-ran no"), out);
    }

    @Test
    void classPathEntriesAreDigested() throws Exception {
        List<Measurement> ms = new JvmRuntimeCollector().collect(CTX);
        Measurement jvm = ms.get(0);
        assertEquals("jvm", jvm.component().name());
        assertEquals(System.getProperty("java.runtime.version"), jvm.component().version().orElseThrow());
        assertEquals(Layer.APPLICATION, jvm.layer());
        assertEquals(System.getProperty("java.vm.vendor"), ((Value.Text) jvm.value("vendor").orElseThrow()).value());
        String[] cp = System.getProperty("java.class.path").split(File.pathSeparator);
        int jars = 0;
        for (String e : cp) {
            Path p = Path.of(e).toAbsolutePath().normalize();
            Measurement m = ms.stream().filter(x -> x.component().name().equals(p.toString())).findFirst().orElseThrow();
            assertEquals(new Value.Text("class-path"), m.value("path-kind").orElseThrow());
            if (Files.isRegularFile(p)) {
                jars++;
                assertEquals(new Value.Text("jar"), m.value("kind").orElseThrow());
                assertEquals(DigestAlgorithm.SHA_256.hash(Files.readAllBytes(p)), m.digest(DigestAlgorithm.SHA_256).orElseThrow());
            } else if (Files.isDirectory(p)) {
                long files;
                try (var s = Files.walk(p)) {
                    files = s.filter(Files::isRegularFile).count();
                }
                assertEquals(new Value.Int(files), m.value("files").orElseThrow());
            }
        }
        assertTrue(jars > 0);
    }

    @Test
    void directoryDigestChangesWhenAClassChangesAndMissingEntriesAreReported() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes/a"));
        Files.writeString(classes.resolve("A.class"), "one");
        Path missing = dir.resolve("nowhere.jar");
        String cp = dir.resolve("classes") + File.pathSeparator + missing;
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path") + File.pathSeparator + cp, JvmRuntimeProbeEntries.class.getName(),
                dir.resolve("classes").toString(), missing.toString());
        String first = run(cmd);
        Files.writeString(classes.resolve("A.class"), "two");
        String second = run(cmd);
        assertTrue(first.contains("missing " + missing + " kind=missing"), first);
        String d1 = first.lines().filter(l -> l.startsWith("dir ")).findFirst().orElseThrow();
        String d2 = second.lines().filter(l -> l.startsWith("dir ")).findFirst().orElseThrow();
        assertTrue(d1.endsWith("files=1"), d1);
        assertTrue(!d1.equals(d2), d1 + " vs " + d2);
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

}
