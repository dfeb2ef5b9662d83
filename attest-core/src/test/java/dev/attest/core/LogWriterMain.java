package dev.attest.core;

import java.nio.file.Path;

/**
 * Appends to a persistent log until killed; run as a child process by {@link LogCrashIT}. Prints
 * {@code open N} once the log is open at sequence N and {@code appended N+1} once its first append
 * has returned, so the parent can time its kill from there.
 */
public final class LogWriterMain {
    private LogWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        try (MeasurementLog log = MeasurementLog.open(Path.of(args[0]), DigestAlgorithm.SHA_256, "crash-boot", 64)) {
            System.out.println("open " + log.head().sequence());
            System.out.flush();
            int first = (int) log.head().sequence() + 1;
            for (int i = first; ; i++) {
                log.append(Fixtures.measurement(i));
                if (i == first) {
                    System.out.println("appended " + i);
                    System.out.flush();
                }
            }
        }
    }
}
