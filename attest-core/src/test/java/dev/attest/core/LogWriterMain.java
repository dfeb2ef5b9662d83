package dev.attest.core;

import java.nio.file.Path;

/** Appends to a persistent log until killed; run as a child process by {@link LogCrashIT}. */
public final class LogWriterMain {
    private LogWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        try (MeasurementLog log = MeasurementLog.open(Path.of(args[0]), DigestAlgorithm.SHA_256, "crash-boot", 64)) {
            System.out.println("open " + log.head().sequence());
            System.out.flush();
            for (int i = (int) log.head().sequence() + 1; ; i++) {
                log.append(Fixtures.measurement(i));
            }
        }
    }
}
