package dev.attest.cli;

import dev.attest.core.collectors.FileDigestCollector;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * A one-line progress bar on standard error for long hashing (large firmware images): only on a
 * terminal, only for files of at least {@link #MIN_SIZE}, redrawn at most every 100 ms, and
 * erased when the file is done. When output is piped or redirected it prints nothing.
 */
final class ProgressBar implements FileDigestCollector.Progress {
    /** Files smaller than this hash too fast to need a bar. */
    static final long MIN_SIZE = 64L << 20;
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final boolean terminal;
    private final long intervalNanos;
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintStream err, boolean terminal, long intervalNanos) {
        this.err = err;
        this.terminal = terminal;
        this.intervalNanos = intervalNanos;
    }

    /** A bar on System.err when the process runs on a terminal (Java's console is attached). */
    static ProgressBar forConsole() {
        return new ProgressBar(System.err, System.console() != null, 100_000_000L);
    }

    @Override
    public synchronized void hashed(Path file, long done, long size) {
        if (!terminal || size < MIN_SIZE) {
            return;
        }
        long now = System.nanoTime();
        if (done < size && drawn && now - lastDraw < intervalNanos) {
            return;
        }
        lastDraw = now;
        if (done >= size) {
            if (drawn) {
                err.print("\r" + " ".repeat(WIDTH + 60) + "\r");
                err.flush();
                drawn = false;
            }
            return;
        }
        int filled = (int) (WIDTH * done / size);
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        if (name.length() > 30) {
            name = "…" + name.substring(name.length() - 29);
        }
        err.print(String.format("\r%-30s [%s%s] %3d%% %,d/%,d MiB", name, "#".repeat(filled), " ".repeat(WIDTH - filled),
                100 * done / size, done >> 20, size >> 20));
        err.flush();
        drawn = true;
    }
}
