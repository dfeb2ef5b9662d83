package dev.attest.bench.footprint;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The device agent's footprint, measured on the real agent process ({@code examples/device-agent}
 * as it ships, started through {@link AgentProbe}): the built-in collectors plus
 * {@code FileDigestCollector} over {@code --files} files of 16 KiB, delivering every evidence over
 * pinned TLS to a loopback HTTPS endpoint. Not a JMH benchmark: it reports process figures (CPU
 * time, allocation, live heap, RSS) per cycle, and the size of a jlink image.
 *
 * <pre>
 * java -cp attest-bench/target/benchmarks.jar dev.attest.bench.footprint.AgentFootprint \
 *     footprint|soak|jlink --agent-cp CP [--period PT30S] [--cycles 8] [--files 100] [--heap 32m]
 *     [--jvm "FLAGS"|none] [--malloc-arena-max N|none] [--collectors ID,...] [--without MODULE,...]
 * </pre>
 * By default the agent runs with the JVM flags and environment it ships with (docs/device-agent.md):
 * {@link #AGENT_JVM_FLAGS} and {@code MALLOC_ARENA_MAX=2}; {@code --jvm none} and
 * {@code --malloc-arena-max none} give the JVM's defaults.
 * {@code footprint}: cycle CPU (the process CPU of each cycle minus the idle rate measured
 * between cycles), idle CPU rate, share of one core at a 60 s period, allocation per cycle, live
 * heap after a full GC, RSS. {@code soak}: live heap after GC every 25 cycles; fails (exit 1) if
 * the last is more than 1 MiB above the first taken after warm-up. {@code jlink}: the JDK modules
 * the agent's jars need (jdeps, less {@code --without M,...}), a runtime image of just those, its
 * size with the jars, and the agent run on it for three cycles.
 */
public final class AgentFootprint {
    /** The agent's shipped JVM flags besides {@code -Xmx32m} (docs/device-agent.md, the demo). */
    static final String AGENT_JVM_FLAGS =
            "-XX:+UseSerialGC -XX:ReservedCodeCacheSize=32m -Xss256k -XX:-UsePerfData -XX:TrimNativeHeapInterval=10000";

    private final Path work;
    private final Map<String, String> opts;
    private final BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
    private final PrintStream out = System.out;

    private AgentFootprint(Path work, Map<String, String> opts) {
        this.work = work;
        this.opts = opts;
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: footprint|soak|jlink --agent-cp CP [options]");
        }
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (!o.containsKey("agent-cp")) {
            throw new IllegalArgumentException("--agent-cp is required (the device agent's class path)");
        }
        Path work = Files.createTempDirectory("attest-footprint");
        AgentFootprint f = new AgentFootprint(work, o);
        int rc = switch (args[0]) {
            case "footprint" -> f.footprint();
            case "soak" -> f.soak();
            case "jlink" -> f.jlink();
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        };
        System.exit(rc);
    }

    private String opt(String k, String dflt) {
        return opts.getOrDefault(k, dflt);
    }

    /** Measured agent process with its probe. */
    private final class Agent implements AutoCloseable {
        final Process process;
        final PrintWriter stdin;
        final BufferedReader stdout;

        Agent(Duration period) throws Exception {
            int files = Integer.parseInt(opt("files", "100"));
            Path dir = Files.createDirectories(work.resolve("measured"));
            SecureRandom r = new SecureRandom();
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < files; i++) {
                byte[] b = new byte[16 * 1024];
                r.nextBytes(b);
                paths.add(Files.write(dir.resolve(String.format("lib%03d.so", i)), b).toString());
            }
            SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("footprint-gw")));
            Files.writeString(work.resolve("device.key.pem"), Pem.privateKey(key.privateKey()));
            X509Certificate cert = startSink();
            String pin = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(cert.getPublicKey().getEncoded()));
            Files.writeString(work.resolve("agent.properties"), String.join("\n",
                    "device.id = footprint-gw", "key = device.key.pem", "algorithm = ES256",
                    "verifier.url = https://127.0.0.1:" + port, "verifier.pin = " + pin, "period = " + period,
                    "files = " + String.join(",", paths), "builtin = true", "collectors = " + opt("collectors", ""),
                    "state.dir = state", ""));
            Path probeDir = work.resolve("probe");
            Path cls = probeDir.resolve("dev/attest/bench/footprint/AgentProbe.class");
            Files.createDirectories(cls.getParent());
            try (InputStream in = AgentProbe.class.getResourceAsStream("AgentProbe.class")) {
                Files.write(cls, in.readAllBytes());
            }
            List<String> cmd = new ArrayList<>(List.of(opt("java", Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                    "-Xmx" + opt("heap", "32m"), "-XX:+DisableAttachMechanism"));
            String jvm = opt("jvm", AGENT_JVM_FLAGS).trim();
            if (!jvm.equals("none") && !jvm.isEmpty()) {
                cmd.addAll(List.of(jvm.split(" +")));
            }
            cmd.addAll(List.of("-cp", probeDir + java.io.File.pathSeparator + opt("agent-cp", ""),
                    "dev.attest.bench.footprint.AgentProbe", "dev.attest.examples.agent.AgentMain",
                    "--config", work.resolve("agent.properties").toString()));
            out.println("# agent: " + String.join(" ", cmd.subList(0, 4)) + " ... AgentMain; " + files
                    + " files of 16 KiB + the built-in collectors, period " + period);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(work.resolve("agent.log").toFile());
            String arenas = opt("malloc-arena-max", "2");
            if (arenas.equals("none")) {
                pb.environment().remove("MALLOC_ARENA_MAX");
            } else {
                pb.environment().put("MALLOC_ARENA_MAX", arenas);
            }
            out.println("# agent JVM flags: " + (jvm.isEmpty() ? "none" : jvm) + "; MALLOC_ARENA_MAX="
                    + pb.environment().getOrDefault("MALLOC_ARENA_MAX", "(unset)"));
            process = pb.start();
            stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        Map<String, Long> ask(String cmd) throws IOException {
            stdin.println(cmd);
            for (String l = stdout.readLine(); l != null; l = stdout.readLine()) {
                if (l.startsWith("probe " + cmd + " ")) {
                    Map<String, Long> m = new LinkedHashMap<>();
                    for (String kv : l.substring(("probe " + cmd + " ").length()).split(" ")) {
                        String[] p = kv.split("=");
                        m.put(p[0], Long.parseLong(p[1]));
                    }
                    m.put("t_ns", System.nanoTime());
                    return m;
                }
            }
            throw new IOException("agent exited; see " + work.resolve("agent.log"));
        }

        @Override
        public void close() {
            process.destroy();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private int port;
    private HttpsServer server;

    /** A loopback HTTPS endpoint speaking the agent's protocol; notes each evidence's arrival. */
    private X509Certificate startSink() throws Exception {
        Path ks = work.resolve("sink.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "sink", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=footprint sink", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", ks.toString(), "-storepass", "changeit").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + log);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/v1/evidence", ex -> {
            ex.getRequestBody().readAllBytes();
            arrivals.add(System.nanoTime());
            byte[] answer = "ok".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
        port = server.getAddress().getPort();
        return (X509Certificate) store.getCertificate("sink");
    }

    private long awaitEvidence(Duration period) throws InterruptedException {
        Long t = arrivals.poll(period.toMillis() * 3 + 60_000, TimeUnit.MILLISECONDS);
        if (t == null) {
            throw new IllegalStateException("no evidence in time; see " + work.resolve("agent.log"));
        }
        return t;
    }

    private int footprint() throws Exception {
        Duration period = Duration.parse(opt("period", "PT30S"));
        int cycles = Integer.parseInt(opt("cycles", "8"));
        int warmup = 2;
        List<Long> cycleCpu = new ArrayList<>();
        List<Long> cycleAlloc = new ArrayList<>();
        double idleNsPerS = 0;
        int idleSamples = 0;
        try (Agent a = new Agent(period)) {
            Map<String, Long> prevIdleEnd = null;
            Map<String, Long> prevArrival = null;
            for (int i = 1; i <= cycles; i++) {
                awaitEvidence(period);
                Map<String, Long> arrival = a.ask("sample");
                if (i > warmup && prevIdleEnd != null) {
                    long cpu = arrival.get("cpu_ns") - prevIdleEnd.get("cpu_ns");
                    double idle = idleNsPerS * (arrival.get("t_ns") - prevIdleEnd.get("t_ns")) / 1e9;
                    cycleCpu.add(Math.round(cpu - idle));
                    cycleAlloc.add(arrival.get("alloc") - prevArrival.get("alloc"));
                }
                prevArrival = arrival;
                if (i == cycles) {
                    break;
                }
                // Idle: from just after this evidence to shortly before the next cycle.
                Thread.sleep(period.toMillis() * 3 / 4);
                Map<String, Long> idleEnd = a.ask("sample");
                if (i >= warmup) {
                    double rate = (idleEnd.get("cpu_ns") - arrival.get("cpu_ns"))
                            / ((idleEnd.get("t_ns") - arrival.get("t_ns")) / 1e9);
                    idleNsPerS = (idleNsPerS * idleSamples + rate) / (idleSamples + 1);
                    idleSamples++;
                }
                prevIdleEnd = idleEnd;
            }
            Map<String, Long> live = a.ask("gc");
            Map<String, Long> rss = a.ask("sample");
            double cpuMs = cycleCpu.stream().mapToLong(Long::longValue).average().orElseThrow() / 1e6;
            double allocMiB = cycleAlloc.stream().mapToLong(Long::longValue).average().orElseThrow() / 1048576.0;
            double share60 = (cpuMs / 1000 + idleNsPerS / 1e9 * 60) / 60 * 100;
            out.printf("cycles measured: %d (after %d warm-up)%n", cycleCpu.size(), warmup);
            out.printf("CPU per cycle: %.1f ms (each: %s)%n", cpuMs,
                    cycleCpu.stream().map(c -> String.format("%.1f", c / 1e6)).toList());
            out.printf("idle CPU between cycles: %.3f ms/s%n", idleNsPerS / 1e6);
            out.printf("share of one core at a 60 s period: %.3f %%%n", share60);
            out.printf("allocation per cycle: %.2f MiB%n", allocMiB);
            out.printf("live heap after full GC: %.2f MiB (committed %.1f MiB)%n",
                    live.get("heap_used") / 1048576.0, live.get("heap_committed") / 1048576.0);
            out.printf("RSS: %.1f MiB%n", rss.get("rss_kb") / 1024.0);
        } finally {
            server.stop(0);
        }
        return 0;
    }

    private int soak() throws Exception {
        Duration period = Duration.parse(opt("period", "PT0.5S"));
        int cycles = Integer.parseInt(opt("cycles", "200"));
        List<long[]> liveAt = new ArrayList<>();
        long gcCpu = 0;
        Map<String, Long> half = null;
        Map<String, Long> end = null;
        try (Agent a = new Agent(period)) {
            for (int i = 1; i <= cycles; i++) {
                awaitEvidence(period);
                if (i == cycles / 2) {
                    half = a.ask("sample");
                }
                if (i == 25 || i % 25 == 0 && i > 25 || i == cycles) {
                    Map<String, Long> before = a.ask("sample");
                    Map<String, Long> live = a.ask("gc");
                    if (half != null) {
                        gcCpu += live.get("cpu_ns") - before.get("cpu_ns");
                    }
                    if (i == cycles) {
                        end = before;
                    }
                    liveAt.add(new long[] {i, live.get("heap_used"), live.get("rss_kb")});
                    out.printf("cycle %d: live heap %.2f MiB, RSS %.1f MiB%n", i, live.get("heap_used") / 1048576.0,
                            live.get("rss_kb") / 1024.0);
                }
            }
            arrivals.clear();
            if (!a.process.isAlive()) {
                out.println("agent died; see " + work.resolve("agent.log"));
                return 1;
            }
        } finally {
            server.stop(0);
        }
        double steadyMs = (end.get("cpu_ns") - half.get("cpu_ns") - gcCpu) / 1e6 / (cycles - cycles / 2);
        double allocMiB = (end.get("alloc") - half.get("alloc")) / 1048576.0 / (cycles - cycles / 2);
        out.printf("second half (cycles %d..%d): CPU %.1f ms per cycle (the harness's forced GCs taken out), "
                + "allocation %.2f MiB per cycle%n", cycles / 2 + 1, cycles, steadyMs, allocMiB);
        // A forced GC can land inside a cycle, whose measurements are live then: the retained heap
        // of a stretch of the run is the lowest of its readings.
        int third = Math.max(1, liveAt.size() / 3);
        long first = liveAt.subList(0, third).stream().mapToLong(x -> x[1]).min().orElseThrow();
        long last = liveAt.subList(liveAt.size() - third, liveAt.size()).stream().mapToLong(x -> x[1]).min()
                .orElseThrow();
        long maxRss = liveAt.stream().mapToLong(x -> x[2]).max().orElseThrow();
        boolean ok = last <= first + 1048576;
        out.printf("soak: %d cycles at %s; retained heap (lowest live reading) %.2f MiB in the first third, "
                + "%.2f MiB in the last third; max RSS %.1f MiB: %s%n", cycles, period, first / 1048576.0,
                last / 1048576.0, maxRss / 1024.0, ok ? "no growth (within 1 MiB)" : "GROWTH");
        return ok ? 0 : 1;
    }

    private int jlink() throws Exception {
        List<String> jars = new ArrayList<>();
        long jarBytes = 0;
        for (String e : opt("agent-cp", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isRegularFile(p) && e.endsWith(".jar")) {
                jars.add(e);
                jarBytes += Files.size(p);
            } else if (Files.isDirectory(p)) {
                jars.add(e);
                jarBytes += size(p);
            }
        }
        List<String> jdepsArgs = new ArrayList<>(List.of("--print-module-deps", "--ignore-missing-deps",
                "--multi-release", "17"));
        jdepsArgs.addAll(jars);
        String modules = run("jdeps", jdepsArgs).strip();
        // TLS needs the EC provider module at run time without naming it in bytecode; the probe
        // (not the agent) needs jdk.management.
        modules += ",jdk.crypto.ec,jdk.management";
        // Modules jdeps sees referenced on code paths the agent never takes (Jackson's java.beans
        // and java.sql support): --without leaves them out, and the run below shows the agent works.
        List<String> without = List.of(opt("without", "").split(","));
        modules = Stream.of(modules.split(",")).filter(m -> !without.contains(m)).distinct()
                .reduce((x, y) -> x + "," + y).orElseThrow();
        Path image = work.resolve("agent-runtime");
        run("jlink", List.of("--add-modules", modules, "--strip-debug", "--no-header-files", "--no-man-pages",
                "--compress=2", "--output", image.toString()));
        long imageBytes = size(image);
        out.printf("JDK modules: %s%n", modules);
        out.printf("runtime image: %.1f MB; agent jars: %.1f MB; total: %.1f MB%n", imageBytes / 1e6,
                jarBytes / 1e6, (imageBytes + jarBytes) / 1e6);
        // The image must run the agent: the same agent and probe, three cycles.
        opts.put("java", image.resolve("bin/java").toString());
        try (Agent a = new Agent(Duration.ofSeconds(1))) {
            for (int i = 0; i < 3; i++) {
                awaitEvidence(Duration.ofSeconds(1));
            }
            Map<String, Long> live = a.ask("gc");
            out.printf("the agent runs on the image: 3 evidences delivered; live heap %.2f MiB, RSS %.1f MiB%n",
                    live.get("heap_used") / 1048576.0, live.get("rss_kb") / 1024.0);
        } finally {
            server.stop(0);
        }
        return 0;
    }

    private static String run(String tool, List<String> args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int rc = ToolProvider.findFirst(tool).orElseThrow(() -> new IllegalStateException(tool + " is not in this JDK"))
                .run(new PrintWriter(o), new PrintWriter(e), args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException(tool + " failed (" + rc + "): " + e + o);
        }
        return o.toString();
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
