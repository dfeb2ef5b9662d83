package dev.attest.core.internal.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Parses {@code /proc/PID/maps} (proc(5)) strictly: a line that does not parse is an error. */
public final class ProcMaps {
    /** Bound on lines, far above what any process maps (vm.max_map_count defaults to 65530). */
    public static final int MAX_LINES = 1 << 20;
    private static final String DELETED = " (deleted)";

    private ProcMaps() {
    }

    /** Reads and parses the maps of {@code pid}. */
    public static List<MapsEntry> read(long pid) throws IOException, ProcFormatException {
        return parse(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "maps")),
                StandardCharsets.UTF_8));
    }

    /** Parses the text of a maps file. */
    public static List<MapsEntry> parse(String text) throws ProcFormatException {
        List<MapsEntry> out = new ArrayList<>();
        int lineNo = 0;
        int pos = 0;
        while (pos < text.length()) {
            int nl = text.indexOf('\n', pos);
            String line = nl < 0 ? text.substring(pos) : text.substring(pos, nl);
            pos = nl < 0 ? text.length() : nl + 1;
            lineNo++;
            if (lineNo > MAX_LINES) {
                throw new ProcFormatException(ProcFormatException.Reason.TOO_LARGE, lineNo, "too many lines");
            }
            if (line.isEmpty()) {
                continue;
            }
            out.add(parseLine(line, lineNo));
        }
        return out;
    }

    static MapsEntry parseLine(String line, int lineNo) throws ProcFormatException {
        // address perms offset dev inode [pathname]; the path starts after the run of spaces that
        // follows the inode and may itself contain spaces.
        int[] cursor = {0};
        String range = token(line, cursor, lineNo);
        String perms = token(line, cursor, lineNo);
        String offset = token(line, cursor, lineNo);
        String dev = token(line, cursor, lineNo);
        String inode = token(line, cursor, lineNo);
        int i = cursor[0];
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        String path = line.substring(i);
        int dash = range.indexOf('-');
        int colon = dev.indexOf(':');
        if (dash < 0 || colon < 0) {
            throw new ProcFormatException(ProcFormatException.Reason.BAD_VALUE, lineNo, "bad range or device");
        }
        if (perms.length() != 4 || "r-".indexOf(perms.charAt(0)) < 0 || "w-".indexOf(perms.charAt(1)) < 0
                || "x-".indexOf(perms.charAt(2)) < 0 || "ps".indexOf(perms.charAt(3)) < 0) {
            throw new ProcFormatException(ProcFormatException.Reason.BAD_VALUE, lineNo, "bad permissions " + perms);
        }
        long start = hex(range.substring(0, dash), lineNo);
        long end = hex(range.substring(dash + 1), lineNo);
        if (Long.compareUnsigned(end, start) < 0) {
            throw new ProcFormatException(ProcFormatException.Reason.BAD_VALUE, lineNo, "range ends before it starts");
        }
        boolean deleted = path.endsWith(DELETED);
        if (deleted) {
            path = path.substring(0, path.length() - DELETED.length());
        }
        long ino;
        try {
            ino = Long.parseUnsignedLong(inode);
        } catch (NumberFormatException e) {
            throw new ProcFormatException(ProcFormatException.Reason.BAD_NUMBER, lineNo, "inode " + inode);
        }
        return new MapsEntry(start, end, perms, hex(offset, lineNo), (int) hex(dev.substring(0, colon), lineNo),
                (int) hex(dev.substring(colon + 1), lineNo), ino, path, deleted);
    }

    private static String token(String line, int[] cursor, int lineNo) throws ProcFormatException {
        int i = cursor[0];
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        int j = i;
        while (j < line.length() && line.charAt(j) != ' ') {
            j++;
        }
        if (i == j) {
            throw new ProcFormatException(ProcFormatException.Reason.MISSING_FIELD, lineNo, "maps line has too few fields");
        }
        cursor[0] = j;
        return line.substring(i, j);
    }

    private static long hex(String s, int lineNo) throws ProcFormatException {
        if (s.isEmpty() || s.length() > 16) {
            throw new ProcFormatException(ProcFormatException.Reason.BAD_NUMBER, lineNo, "hex number " + s);
        }
        try {
            return Long.parseUnsignedLong(s, 16);
        } catch (NumberFormatException e) {
            throw new ProcFormatException(ProcFormatException.Reason.BAD_NUMBER, lineNo, "hex number " + s);
        }
    }
}
