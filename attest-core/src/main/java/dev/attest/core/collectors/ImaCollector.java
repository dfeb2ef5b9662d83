package dev.attest.core.collectors;

import dev.attest.core.CollectionContext;
import dev.attest.core.Collector;
import dev.attest.core.ComponentId;
import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.core.internal.ima.ImaEntry;
import dev.attest.core.internal.proc.ProcFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The Linux IMA runtime measurement list ({@code /sys/kernel/security/ima/ascii_runtime_measurements},
 * or a captured copy given by path), read incrementally: each cycle reports only the entries
 * appended since the previous one, plus the running count and the aggregate (the replayed PCR
 * values, so a verifier can compare them with a TPM quote of PCR 10; the replay against the TPM
 * itself lives in attest-tpm). Templates {@code ima}, {@code ima-ng}, {@code ima-sig} and
 * {@code ima-buf} are parsed and every entry's template hash is checked against its template
 * data.
 *
 * <p>Reports, in layer {@link Layer#OS}:
 * <ul>
 * <li>a summary {@code ima-log} with {@code source} (text), the ints {@code entries} (running
 *     count, including malformed lines), {@code new-entries}, {@code parse-errors} (this cycle),
 *     {@code parse-errors-total}, {@code pending-bytes} (an unterminated last line, left for
 *     the next cycle), the bools {@code more-entries-pending} (the per-cycle bound was reached),
 *     {@code log-reset} (the file shrank: counting restarted), {@code aggregate-valid} (false
 *     once a line whose template hash could not be read was seen), {@code aggregates} (map
 *     from PCR number to the replayed PCR value, bytes; violations extend with all-ones as the
 *     kernel does) and {@code aggregate-algorithm} (the template hash algorithm: {@code sha1}
 *     for the classic list);</li>
 * <li>one measurement per new entry, named by the file path (control characters escaped as
 *     {@code \xNN}), with digest = the file digest when its algorithm is one of
 *     {@link DigestAlgorithm}'s, and the values {@code index} (0-based position in the list),
 *     {@code line}, {@code pcr}, {@code template}, {@code template-hash}, {@code file-digest},
 *     {@code file-digest-algorithm}, {@code violation}, {@code signature} ({@code ima-sig})
 *     or {@code buffer} ({@code ima-buf}) when not empty, and {@code name} (text, the exact name
 *     as the template data holds it) when the measurement's name differs from it (escaped or
 *     cut); with these a verifier rebuilds the template data and recomputes the template hash
 *     itself (attest-tpm's {@code TpmAppraiser} does, and binds the entries to a quoted PCR 10:
 *     run this collector after the TPM quote collector in a cycle, so that the list read is never
 *     behind the quote);</li>
 * <li>for a malformed line, an ERROR measurement {@code ima-log-line:<n>} with {@code line},
 *     {@code index}, {@code reason} (a {@code ProcFormatException.Reason} name such as
 *     {@code TEMPLATE_HASH_MISMATCH}, {@code BAD_HEX}, {@code UNSUPPORTED_TEMPLATE}) and
 *     {@code text} (the line, cut at 256 characters). Nothing is skipped silently.</li>
 * </ul>
 * When the list does not exist (IMA not enabled, securityfs not mounted) or cannot be read, one
 * UNSUPPORTED measurement says why. Not thread-safe beyond the {@link Collector} contract (the
 * incremental state is per instance; calls are serialized).
 */
public final class ImaCollector implements Collector {
    /** Where the kernel exposes the list. */
    public static final Path DEFAULT_PATH = Path.of("/sys/kernel/security/ima/ascii_runtime_measurements");
    /** Id of this collector. */
    public static final String ID = "ima";
    /** Default bound on the entries reported in one cycle; the rest follow in later cycles. */
    public static final int DEFAULT_MAX_ENTRIES_PER_CYCLE = 50_000;

    private final Path path;
    private final int maxEntries;
    // Incremental state.
    private long offset;
    private long entries;
    private long errorsTotal;
    private boolean aggregateValid = true;
    private String aggregateAlgorithm = "";
    private final TreeMap<Integer, byte[]> aggregates = new TreeMap<>();

    /** Reads the kernel's list (ServiceLoader entry point). */
    public ImaCollector() {
        this(DEFAULT_PATH, DEFAULT_MAX_ENTRIES_PER_CYCLE);
    }

    private ImaCollector(Path path, int maxEntries) {
        this.path = Objects.requireNonNull(path, "path");
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1");
        }
        this.maxEntries = maxEntries;
    }

    /**
     * Reads a captured list (or the kernel's at another mount point) at {@code path}.
     *
     * @param path the measurement list file
     * @return the collector
     */
    public static ImaCollector of(Path path) {
        return new ImaCollector(path, DEFAULT_MAX_ENTRIES_PER_CYCLE);
    }

    /**
     * Reads {@code path}, reporting at most {@code maxEntriesPerCycle} entries per cycle.
     *
     * @param path the measurement list file
     * @param maxEntriesPerCycle the most entries reported in one cycle
     * @return the collector
     * @throws IllegalArgumentException if {@code maxEntriesPerCycle < 1}
     */
    public static ImaCollector of(Path path, int maxEntriesPerCycle) {
        return new ImaCollector(path, maxEntriesPerCycle);
    }

    @Override
    public String id() {
        return ID;
    }

    /**
     * The list read.
     *
     * @return the path of the list
     */
    public Path path() {
        return path;
    }

    @Override
    public synchronized List<Measurement> collect(CollectionContext context) throws IOException {
        Instant time = context.time();
        ComponentId summaryId = ComponentId.of("ima-log");
        boolean reset = false;
        List<Measurement> out = new ArrayList<>();
        int newEntries = 0;
        int errors = 0;
        long pending;
        boolean more = false;
        try (InputStream in = Files.newInputStream(path)) {
            if (Files.isRegularFile(path) && Files.size(path) < offset) {
                reset = true;
                offset = 0;
                entries = 0;
                errorsTotal = 0;
                aggregateValid = true;
                aggregateAlgorithm = "";
                aggregates.clear();
            }
            in.skipNBytes(offset);
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            long lineBytes = 0;
            boolean overlong = false;
            outer:
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') {
                        continue;
                    }
                    lineBytes += i - from;
                    if (!overlong) {
                        line.write(buf, from, i - from);
                    }
                    from = i + 1;
                    offset += lineBytes + 1;
                    Measurement m = entry(line.toByteArray(), overlong || lineBytes > ImaEntry.MAX_LINE, time);
                    if (m.status() != Measurement.Status.OK) {
                        errors++;
                    }
                    out.add(m);
                    newEntries++;
                    line.reset();
                    lineBytes = 0;
                    overlong = false;
                    if (newEntries >= maxEntries) {
                        more = true;
                        break outer;
                    }
                }
                lineBytes += n - from;
                if (!overlong) {
                    line.write(buf, from, n - from);
                    if (line.size() > ImaEntry.MAX_LINE) {
                        // Count the bytes of an overlong line but do not keep them.
                        line.reset();
                        overlong = true;
                    }
                }
            }
            pending = more ? 0 : lineBytes;
        } catch (NoSuchFileException e) {
            return List.of(Measurement.unsupported(ID, summaryId, Layer.OS, time, path
                    + " does not exist (IMA not enabled in the kernel, or securityfs not mounted)"));
        } catch (AccessDeniedException e) {
            return List.of(Measurement.unsupported(ID, summaryId, Layer.OS, time,
                    "not permitted to read " + path + " (root needed)"));
        } catch (java.io.EOFException e) {
            // The file shrank between the size check and the skip: start over next cycle.
            offset = Long.MAX_VALUE;
            return List.of(Measurement.error(ID, summaryId, Layer.OS, time, path + " shrank while being read"));
        }
        errorsTotal += errors;
        TreeMap<String, Value> aggs = new TreeMap<>();
        aggregates.forEach((pcr, v) -> aggs.put(Integer.toString(pcr), new Value.Bytes(v)));
        out.add(0, Measurement.builder(summaryId, Layer.OS).collector(ID).time(time)
                .value("source", path.toString()).value("entries", entries).value("new-entries", newEntries)
                .value("parse-errors", errors).value("parse-errors-total", errorsTotal)
                .value("pending-bytes", pending).value("more-entries-pending", more).value("log-reset", reset)
                .value("aggregate-valid", aggregateValid).value("aggregates", new Value.MapValue(aggs))
                .value("aggregate-algorithm", aggregateAlgorithm).build());
        return out;
    }

    private Measurement entry(byte[] raw, boolean overlong, Instant time) {
        long index = entries++;
        long lineNo = index + 1;
        String text = new String(raw, StandardCharsets.UTF_8);
        if (overlong) {
            aggregateValid = false;
            return lineError(lineNo, index, ProcFormatException.Reason.LINE_TOO_LONG.name(), "", time,
                    "line " + lineNo + " longer than " + ImaEntry.MAX_LINE + " bytes");
        }
        try {
            ImaEntry e = ImaEntry.parse(text, lineNo);
            extend(e.pcr(), e.templateHash(), e.violation());
            String component = componentName(e.path());
            Measurement.Builder b = Measurement.builder(ComponentId.of(component), Layer.OS).collector(ID)
                    .time(time).value("index", index).value("line", lineNo).value("pcr", e.pcr())
                    .value("template", e.template()).value("template-hash", new Value.Bytes(e.templateHash()))
                    .value("file-digest", new Value.Bytes(e.fileDigest()))
                    .value("file-digest-algorithm", e.digestAlgorithm()).value("violation", e.violation());
            algorithm(e.digestAlgorithm()).filter(a -> !e.violation())
                    .ifPresent(a -> b.digest(new Digest(a, e.fileDigest())));
            if (!component.equals(e.path())) {
                // The template data holds the exact name: a verifier recomputing the template
                // hash needs it when the component name had to be escaped or cut.
                b.value("name", e.path());
            }
            if (e.extra().length > 0) {
                b.value(e.template().equals("ima-buf") ? "buffer" : "signature", new Value.Bytes(e.extra()));
            }
            return b.build();
        } catch (ProcFormatException ex) {
            // The PCR was extended with the listed template hash even if its data is wrong; the
            // replay stays right as long as that hash can be read.
            String[] head = text.split(" ", 4);
            byte[] th = head.length >= 2 && head[1].matches("([0-9a-fA-F]{2}){20,64}")
                    ? java.util.HexFormat.of().parseHex(head[1]) : null;
            Integer pcr = head.length >= 1 && head[0].matches("[0-9]{1,2}") ? Integer.valueOf(head[0]) : null;
            if (th != null && pcr != null && (th.length == 20 || th.length == 32 || th.length == 48 || th.length == 64)) {
                boolean zero = true;
                for (byte x : th) {
                    zero &= x == 0;
                }
                extend(pcr, th, zero);
            } else {
                aggregateValid = false;
            }
            return lineError(lineNo, index, ex.reason().name(), text, time, ex.getMessage());
        }
    }

    private Measurement lineError(long lineNo, long index, String reason, String text, Instant time, String message) {
        return Measurement.builder(ComponentId.of("ima-log-line:" + lineNo), Layer.OS).collector(ID).time(time)
                .value("line", lineNo).value("index", index).value("reason", reason)
                .value("text", text.length() > 256 ? text.substring(0, 256) : text)
                .status(Measurement.Status.ERROR, message).build();
    }

    private void extend(int pcr, byte[] templateHash, boolean violation) {
        String alg;
        switch (templateHash.length) {
            case 20: alg = "sha1"; break;
            case 32: alg = "sha256"; break;
            case 48: alg = "sha384"; break;
            default: alg = "sha512"; break;
        }
        if (aggregateAlgorithm.isEmpty()) {
            aggregateAlgorithm = alg;
        } else if (!aggregateAlgorithm.equals(alg)) {
            aggregateValid = false;
            return;
        }
        byte[] measured = violation ? filled(templateHash.length) : templateHash;
        byte[] old = aggregates.getOrDefault(pcr, new byte[templateHash.length]);
        try {
            MessageDigest md = MessageDigest.getInstance(alg.equals("sha1") ? "SHA-1" : "SHA-" + alg.substring(3));
            md.update(old);
            md.update(measured);
            aggregates.put(pcr, md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0xff);
        return b;
    }

    private static java.util.Optional<DigestAlgorithm> algorithm(String kernelName) {
        switch (kernelName) {
            case "sha256": return java.util.Optional.of(DigestAlgorithm.SHA_256);
            case "sha384": return java.util.Optional.of(DigestAlgorithm.SHA_384);
            case "sha512": return java.util.Optional.of(DigestAlgorithm.SHA_512);
            case "sha3-256": return java.util.Optional.of(DigestAlgorithm.SHA3_256);
            default: return java.util.Optional.empty();
        }
    }

    /**
     * The measurement name this collector gives an entry whose path is {@code path}: control
     * characters as {@code \\xNN}, cut to {@link ComponentId#MAX_NAME_LENGTH}. A verifier uses it
     * to check that an entry's name and its measurement's name agree.
     *
     * @param path the entry's file path
     * @return the measurement name
     */
    public static String componentName(String path) {
        StringBuilder sb = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isISOControl(c)) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        String s = sb.toString();
        return s.length() > ComponentId.MAX_NAME_LENGTH ? s.substring(0, ComponentId.MAX_NAME_LENGTH) : s;
    }

    @Override
    public String toString() {
        return "ImaCollector[" + path + "]";
    }
}
