package dev.attest.core.internal.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Small bounded readers for kernel-provided files. */
public final class ProcFiles {
    private ProcFiles() {
    }

    /**
     * Reads at most {@code max} bytes of a file whose size {@code stat} may not report (procfs,
     * securityfs report 0).
     *
     * @throws ProcFormatException with {@link ProcFormatException.Reason#TOO_LARGE} if the file
     *     holds more than {@code max} bytes
     */
    public static byte[] readBounded(Path path, int max) throws IOException, ProcFormatException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(Math.min(max, 1 << 16) + 1);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            while (true) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                out.write(buf.array(), 0, n);
                if (out.size() > max) {
                    throw new ProcFormatException(ProcFormatException.Reason.TOO_LARGE, max,
                            path + " is larger than " + max + " bytes");
                }
            }
            return out.toByteArray();
        }
    }

    /** The first line of a small text file, trimmed. */
    public static String firstLine(Path path) throws IOException {
        String s = Files.readString(path);
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
