package dev.attest.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exactly the demo flow, end to end: two real processes, real TLS, real evidence. */
class DemoIT {
    @Test
    void demoDetectsTheModifiedFile(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            code = new Demo(dir, out).run();
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertEquals(0, code, text);
        assertTrue(text.contains("affirming"), text);
        assertTrue(text.contains("-> reference.digest at " + dir.resolve("device/opt/app/app.conf").toAbsolutePath()), text);
        // The dashboard's address carries the viewer token (in the fragment, never sent to the server).
        String viewer = java.nio.file.Files.readString(dir.resolve("verifier/viewer.token")).trim();
        assertTrue(text.contains("/#viewer=" + viewer + " "), text);
    }
}
