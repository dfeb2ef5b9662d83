package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.core.CollectionContext;
import dev.attest.core.collectors.FileDigestCollector;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress bar over a real 80 MiB file hashed by the real collector. */
class ProgressBarTest {
    @TempDir
    Path dir;

    private String run(boolean terminal) throws Exception {
        Path big = dir.resolve("firmware.img");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(80L << 20);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(err, true, StandardCharsets.UTF_8), terminal, 0);
        FileDigestCollector c = FileDigestCollector.builder().path(big).progress(bar).build();
        assertEquals(1, c.collect(CollectionContext.of(1, java.time.Instant.now(), java.time.Duration.ofMinutes(1))).size());
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void drawsOnATerminalAndErasesWhenDone() throws Exception {
        String out = run(true);
        assertTrue(out.matches("(?s).*\\rfirmware\\.img +\\[#+ +\\] +\\d+% \\d+/80 MiB.*"),
                out.substring(0, Math.min(300, out.length())));
        assertTrue(out.endsWith("\r"), "the bar is erased at the end");
    }

    @Test
    void printsNothingWhenPiped() throws Exception {
        assertEquals("", run(false));
    }
}
