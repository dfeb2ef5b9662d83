package dev.attest.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.Pem;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.examples.agent.PinnedTls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * The demo: starts the cloud verifier and a device agent as two processes on loopback, enrols
 * the device over the API, waits for three affirming periodic attestations, modifies a measured
 * file, and waits for the contraindicated appraisal that names it. Exit code 0 only if all of
 * that happened as described.
 */
public final class Demo {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DEVICE = "demo-gateway";
    /** How often the demo's agent sends evidence: its configuration, and its enrolment (the dashboard's "not seen"). */
    static final String PERIOD = "PT2S";
    private final Path dir;
    private final PrintStream out;
    private final List<Process> processes = new ArrayList<>();

    Demo(Path dir, PrintStream out) {
        this.dir = dir;
        this.out = out;
    }

    /**
     * {@code demo [--stay] [DIR]}: runs in DIR (default: a new temporary directory); with
     * {@code --stay} the verifier and agent keep running (dashboard live) until Enter is pressed.
     */
    public static void main(String[] args) throws Exception {
        boolean stay = List.of(args).contains("--stay");
        List<String> rest = List.of(args).stream().filter(a -> !a.equals("--stay")).toList();
        Path dir = rest.isEmpty() ? Files.createTempDirectory("attest-demo") : Path.of(rest.get(0));
        Demo demo = new Demo(dir, System.out);
        demo.stay = stay;
        int code = demo.run();
        System.exit(code);
    }

    private boolean stay;

    /** Stops every process this demo started. */
    void stopAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    int run() throws Exception {
        Instant started = Instant.now();
        try {
            return steps(started);
        } finally {
            stopAll();
        }
    }

    private int steps(Instant started) throws Exception {
        Files.createDirectories(dir);
        Path app = dir.resolve("device/opt/app");
        Files.createDirectories(app);
        Path config = app.resolve("app.conf");
        Files.writeString(config, "mode = production\nupdate-server = https://updates.example\n");
        Path binary = app.resolve("app.bin");
        Files.write(binary, "\u007fELF pretend application code".getBytes(StandardCharsets.US_ASCII));

        out.println("== 1. cloud verifier");
        Path state = dir.resolve("verifier");
        Process verifier = java(dir.resolve("verifier.log"), "dev.attest.examples.verifier.VerifierMain",
                "--state", state.toString(), "--port", "0", "--capture-first");
        String line = awaitLine(dir.resolve("verifier.log"), Pattern.compile("cloud verifier on (https://\\S+)\\s+pin (\\S+)"),
                verifier, Duration.ofSeconds(30));
        Matcher m = Pattern.compile("cloud verifier on (https://\\S+)\\s+pin (\\S+)").matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("verifier did not start: " + line);
        }
        URI base = URI.create(m.group(1));
        String pin = m.group(2);
        out.println("   " + base + " (TLS pin " + pin.substring(0, 16) + "…)");
        String token = Files.readString(state.resolve("admin.token")).trim();
        String viewer = Files.readString(state.resolve("viewer.token")).trim();
        HttpClient http = HttpClient.newBuilder().sslContext(PinnedTls.pinned(List.of(pin)))
                .connectTimeout(Duration.ofSeconds(5)).build();

        out.println("== 2. device key and enrolment");
        Path deviceDir = dir.resolve("device");
        SigningKey key = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of(DEVICE)));
        Files.writeString(deviceDir.resolve("device.key.pem"), Pem.privateKey(key.privateKey()));
        enrol(http, base, token, DEVICE, key, Optional.of(PERIOD));
        // The verifier judges "not seen" (the dashboard's overview) by the period the agent is enrolled with.
        HttpResponse<String> enrolled = http.send(HttpRequest.newBuilder(base.resolve("/v1/devices/" + DEVICE))
                .header("Authorization", "Bearer " + viewer).GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode summary = JSON.readTree(enrolled.body());
        if (enrolled.statusCode() != 200 || !summary.path("period").asText().equals(Duration.parse(PERIOD).toString())
                || !summary.path("periodSource").asText().equals("enrolled")) {
            throw new IllegalStateException("the verifier does not hold the agent's period: " + enrolled.body());
        }
        out.println("   enrolled " + DEVICE + " (ES256, key " + key.verificationKey().orElseThrow().fingerprint().substring(0, 16)
                + "…, period " + PERIOD + ")");

        out.println("== 3. device agent (no listening port; pushes evidence every 2 s)");
        Files.writeString(deviceDir.resolve("agent.properties"), String.join("\n",
                "device.id = " + DEVICE,
                "key = device.key.pem",
                "verifier.url = " + base,
                "verifier.pin = " + pin,
                "period = " + PERIOD,
                "files = opt/app/app.conf,opt/app/app.bin",
                "builtin = true",
                "collectors = process-memory,memory-protection,jvm-runtime",
                "state.dir = agent-state", ""));
        Process agent = java(dir.resolve("agent.log"), "dev.attest.examples.agent.AgentMain",
                "--config", deviceDir.resolve("agent.properties").toString());

        out.println("== 4. periodic attestations");
        out.println("   (the verifier was started with --capture-first: the first evidence becomes the reference values)");
        long lastSeen = -1;
        int affirming = 0;
        Instant deadline = Instant.now().plusSeconds(60);
        while (affirming < 3) {
            for (JsonNode r : newResults(http, base, viewer, lastSeen, agent, deadline)) {
                lastSeen = r.get("sequence").asLong();
                out.println("   evidence up to #" + lastSeen + ": " + r.get("status").asText() + summary(r));
                if (r.get("status").asText().equals("affirming")) {
                    affirming++;
                } else if (affirming > 0) {
                    throw new IllegalStateException("an untampered device was not affirmed: " + r);
                }
            }
        }

        out.println("== 5. tampering: the measured configuration file is changed on the device");
        Files.writeString(config, "mode = production\nupdate-server = https://evil.example\n");
        boolean caught = false;
        deadline = Instant.now().plusSeconds(30);
        while (!caught) {
            for (JsonNode r : newResults(http, base, viewer, lastSeen, agent, deadline)) {
                lastSeen = r.get("sequence").asLong();
                out.println("   evidence up to #" + lastSeen + ": " + r.get("status").asText() + summary(r));
                for (JsonNode f : r.get("findings")) {
                    if (r.get("status").asText().equals("contraindicated") && f.get("check").asText().equals("reference.digest")
                            && f.get("path").asText().equals(config.toAbsolutePath().toString())) {
                        caught = true;
                        out.println("   -> " + f.get("check").asText() + " at " + f.get("path").asText());
                        out.println("      expected " + f.get("expected").asText());
                        out.println("      found    " + f.get("actual").asText());
                    }
                }
            }
        }
        out.println("== 6. tampering: one byte of the agent's code is patched in its memory");
        Optional<String> patched = patchCode(agent.pid());
        if (patched.isEmpty()) {
            out.println("   skipped: this machine does not let the demo write to the agent's memory");
        } else {
            out.println("   patched the last byte of the executable mapping of " + patched.get());
            boolean seen = false;
            deadline = Instant.now().plusSeconds(30);
            while (!seen) {
                for (JsonNode r : newResults(http, base, viewer, lastSeen, agent, deadline)) {
                    lastSeen = r.get("sequence").asLong();
                    out.println("   evidence up to #" + lastSeen + ": " + r.get("status").asText() + summary(r));
                    for (JsonNode f : r.get("findings")) {
                        if (f.get("check").asText().equals("runtime.code-mismatch") && f.get("path").asText().equals(patched.get())) {
                            seen = true;
                            out.println("   -> runtime.code-mismatch at " + patched.get() + ": " + f.get("actual").asText());
                        }
                    }
                }
            }
        }
        // The viewer token rides in the fragment, which the browser keeps to itself.
        out.println("== done in " + Duration.between(started, Instant.now()).toSeconds() + " s. Dashboard (while the"
                + " verifier runs): " + base.resolve("/") + "#viewer=" + viewer + "   state and logs: " + dir);
        if (stay) {
            out.println("   verifier and agent keep running; open the dashboard (accept the self-signed"
                    + " certificate), press Enter to stop");
            System.in.read();
        } else {
            out.println("   (run bin/attest-demo --stay to keep them running and watch the dashboard)");
        }
        return 0;
    }

    /**
     * Flips the last in-file byte of a small library's executable mapping in process {@code pid}
     * through /proc/PID/mem (the demo is the agent's parent, which Yama's ptrace scope 1 allows).
     * The byte lies past the library's code proper, so the agent keeps running.
     */
    private static Optional<String> patchCode(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
                String[] f = l.trim().split("\\s+");
                if (f.length < 6 || !f[1].equals("r-xp") || !f[5].endsWith("/libextnet.so") && !f[5].endsWith("/libmanagement_ext.so")) {
                    continue;
                }
                String[] range = f[0].split("-");
                long start = Long.parseUnsignedLong(range[0], 16);
                long end = Long.parseUnsignedLong(range[1], 16);
                long offset = Long.parseUnsignedLong(f[2], 16);
                long inFile = Math.min(end - start, Files.size(Path.of(f[5])) - offset);
                if (inFile <= 0) {
                    continue;
                }
                try (java.io.RandomAccessFile mem = new java.io.RandomAccessFile("/proc/" + pid + "/mem", "rw")) {
                    mem.seek(start + inFile - 1);
                    int b = mem.read();
                    mem.seek(start + inFile - 1);
                    mem.write(b ^ 0xff);
                }
                return Optional.of(f[5]);
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String summary(JsonNode r) {
        List<String> fs = new ArrayList<>();
        for (JsonNode f : r.get("findings")) {
            if (!f.get("severity").asText().equals("info")) {
                fs.add(f.get("check").asText() + " " + f.get("path").asText());
            }
        }
        return fs.isEmpty() ? "" : "  " + fs;
    }

    /** Enrols {@code device} with {@code key}'s public key through the admin API. */
    static void enrol(HttpClient http, URI base, String adminToken, String device, SigningKey key)
            throws IOException, InterruptedException {
        enrol(http, base, adminToken, device, key, Optional.empty());
    }

    /** Enrols {@code device} with its verification key and, if given, its period (ISO-8601). */
    static void enrol(HttpClient http, URI base, String adminToken, String device, SigningKey key,
            Optional<String> period) throws IOException, InterruptedException {
        String pub = Pem.publicKey(key.verificationKey().orElseThrow().publicKey());
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode().put("device", device).put("key", pub);
        period.ifPresent(p -> body.put("period", p));
        HttpResponse<String> enrol = http.send(HttpRequest.newBuilder(base.resolve("/v1/devices"))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (enrol.statusCode() != 201) {
            throw new IllegalStateException("enrolment refused: " + enrol.statusCode() + " " + enrol.body());
        }
    }

    /** Results newer than {@code after}, oldest first; waits until there is one. */
    List<JsonNode> newResults(HttpClient http, URI base, String viewer, long after, Process agent, Instant deadline)
            throws IOException, InterruptedException {
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/devices/" + DEVICE))
                    .header("Authorization", "Bearer " + viewer).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            List<JsonNode> fresh = new ArrayList<>();
            if (r.statusCode() == 200) {
                for (JsonNode h : JSON.readTree(r.body()).path("history")) {
                    if (h.get("sequence").asLong() > after) {
                        fresh.add(h);
                    }
                }
            }
            if (!fresh.isEmpty()) {
                fresh.sort((a, b) -> Long.compare(a.get("sequence").asLong(), b.get("sequence").asLong()));
                return fresh;
            }
            if (!agent.isAlive()) {
                throw new IllegalStateException("the agent exited; see " + dir.resolve("agent.log"));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("no appraisal in time; see " + dir.resolve("agent.log") + " and "
                        + dir.resolve("verifier.log"));
            }
            Thread.sleep(250);
        }
    }

    Process java(Path log, String main, String... args) throws IOException {
        // The agent runs in the heap a gateway can spare (BENCHMARKS.md, Footprint); the verifier serves a fleet.
        boolean agent = main.endsWith(".AgentMain");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+DisableAttachMechanism", agent ? "-Xmx32m" : "-Xmx256m"));
        if (agent) {
            // The agent's shipped flags (docs/device-agent.md, BENCHMARKS.md "Footprint").
            cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:ReservedCodeCacheSize=32m", "-Xss256k", "-XX:-UsePerfData"));
            // Java 17 updates before 17.0.9 do not know this flag and would refuse to start with it;
            // the agent runs on this very JVM, so ask it.
            if (knowsVmOption("TrimNativeHeapInterval")) {
                cmd.add("-XX:TrimNativeHeapInterval=10000");
            } else {
                out.println("   (this JVM has no -XX:TrimNativeHeapInterval: the agent runs without it)");
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (agent) {
            pb.environment().put("MALLOC_ARENA_MAX", "2");
        }
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static boolean knowsVmOption(String name) {
        com.sun.management.HotSpotDiagnosticMXBean vm = java.lang.management.ManagementFactory
                .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        if (vm == null) {
            return false;
        }
        try {
            vm.getVMOption(name);
            return true;
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }

    static String awaitLine(Path log, Pattern pattern, Process p, Duration timeout)
            throws IOException, InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (Instant.now().isBefore(end)) {
            if (Files.exists(log)) {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(log), StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        if (pattern.matcher(l).find()) {
                            return l;
                        }
                    }
                }
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("process exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("timed out waiting for " + pattern + " in " + log);
    }
}
