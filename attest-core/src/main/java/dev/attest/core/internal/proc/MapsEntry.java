package dev.attest.core.internal.proc;

import java.util.Optional;

/**
 * One line of {@code /proc/PID/maps} (proc(5)): an address range, its permissions, and what backs
 * it.
 *
 * @param start first address
 * @param end address after the last byte
 * @param perms the four permission characters, e.g. {@code r-xp}
 * @param offset offset into the backing file
 * @param devMajor device major number of the backing file (0 for anonymous)
 * @param devMinor device minor number
 * @param inode inode of the backing file (0 for anonymous)
 * @param pathname the path or pseudo-name ({@code [heap]}, {@code [stack]}, ...), without the
 *     {@code " (deleted)"} suffix; empty for an anonymous mapping
 * @param deleted whether the kernel marked the backing file {@code (deleted)}
 */
public record MapsEntry(long start, long end, String perms, long offset, int devMajor, int devMinor,
        long inode, String pathname, boolean deleted) {
    public long length() {
        return end - start;
    }

    public boolean readable() {
        return perms.charAt(0) == 'r';
    }

    public boolean writable() {
        return perms.charAt(1) == 'w';
    }

    public boolean executable() {
        return perms.charAt(2) == 'x';
    }

    /** A mapping of a file (inode != 0 and an absolute path), as opposed to anonymous or pseudo. */
    public boolean fileBacked() {
        return inode != 0 && pathname.startsWith("/");
    }

    /** Anonymous: no file behind it (includes named anonymous regions {@code [anon:...]}). */
    public boolean anonymous() {
        return inode == 0 && !pathname.startsWith("/") && !pseudo().isPresent()
                || pathname.startsWith("[anon:");
    }

    /** The kernel's pseudo-name ({@code [heap]}, {@code [stack]}, {@code [vdso]}, ...), if any. */
    public Optional<String> pseudo() {
        return pathname.startsWith("[") && !pathname.startsWith("[anon:") ? Optional.of(pathname)
                : Optional.empty();
    }

    /** {@code start-end} in the lowercase hex the kernel uses in maps and map_files. */
    public String range() {
        return Long.toHexString(start) + "-" + Long.toHexString(end);
    }

    /** Linux's dev_t of the backing file, as {@code stat(2)} returns it in {@code st_dev}. */
    public long devT() {
        long major = devMajor & 0xffffffffL;
        long minor = devMinor & 0xffffffffL;
        return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12) | ((major & ~0xfffL) << 32);
    }
}
