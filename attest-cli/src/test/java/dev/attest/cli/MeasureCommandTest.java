package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeasureCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Attest.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void measuresPathsAsJson() throws Exception {
        Path f = Files.writeString(dir.resolve("app.conf"), "abc");
        Run r = run("measure", "--no-builtin", "--json", f.toString(), dir.resolve("missing").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(2, json.size());
        assertEquals(f.toString(), json.get(0).get("component").asText());
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                json.get(0).get("digests").get("sha-256").asText());
        assertEquals(3, json.get(0).get("values").get("size").asInt());
        assertEquals("ERROR", json.get(1).get("status").asText());
        assertEquals("no such file", json.get(1).get("message").asText());
    }

    @Test
    void tableNamesStatusAndDigest() throws Exception {
        Path f = Files.writeString(dir.resolve("a"), "abc");
        Run r = run("measure", "--no-builtin", "--algorithm", "sha-512", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sha-512:ddaf35a193617aba"), r.out());
        assertTrue(r.out().endsWith("1 measurements, 0 errors, 0 unsupported\n"), r.out());
    }

    @Test
    void configFileChoosesFilesCollectorsAndAlgorithms() throws Exception {
        Files.writeString(dir.resolve("app.conf"), "abc");
        Path cfg = Files.writeString(dir.resolve("measure.properties"),
                "files = app.conf\nbuiltin = true\ncollectors = jvm-runtime\nalgorithms = sha-384\ntimeout = 30\n");
        Run r = run("measure", "--json", "--config", cfg.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        java.util.Set<String> collectors = new java.util.TreeSet<>();
        json.forEach(m -> collectors.add(m.get("collector").asText()));
        assertEquals(java.util.Set.of("file-digest", "jvm-runtime"), collectors);
        JsonNode file = null;
        for (JsonNode m : json) {
            if (m.get("component").asText().equals(dir.resolve("app.conf").toString())) {
                file = m;
            }
        }
        assertTrue(file != null && file.get("digests").has("sha-384"), r.out());
        Path typo = Files.writeString(dir.resolve("typo.properties"), "file = app.conf\n");
        Run bad = run("measure", "--config", typo.toString());
        assertEquals(3, bad.code());
        assertTrue(bad.err().startsWith("attest: ") && bad.err().contains("unknown setting 'file'"), bad.err());
        assertEquals(1, bad.err().lines().count());
    }

    @Test
    void badInputIsOneLineAndExit3() {
        Run r = run("measure", "--no-builtin", "--algorithm", "md5", "/etc/hostname");
        assertEquals(3, r.code());
        assertEquals("attest: digest algorithm not allowed: md5\n", r.err());
        Run none = run("measure", "--no-builtin");
        assertEquals(3, none.code());
        assertEquals("attest: nothing to measure: give a PATH or drop --no-builtin\n", none.err());
    }

    @Test
    void everyCommandHasHelpAndTheRootHasAVersion() {
        for (String[] cmd : new String[][] {{"measure"}, {"keygen"}, {"evidence"}, {"inspect"}, {"verify"}, {"refs"},
            {"refs", "capture"}}) {
            String[] args = java.util.Arrays.copyOf(cmd, cmd.length + 1);
            args[cmd.length] = "--help";
            Cli.Run r = Cli.run(args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: attest " + String.join(" ", cmd) + " "), r.out());
        }
        assertEquals("attest 0.1.0-SNAPSHOT\n", Cli.run("--version").out());
        assertEquals("attest: Unknown option: '--frobnicate' (see 'attest measure --help')",
                Cli.run("measure", "--frobnicate").oneLineError(3));
    }
}
