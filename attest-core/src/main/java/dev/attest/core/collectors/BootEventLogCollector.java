package dev.attest.core.collectors;

import dev.attest.core.CollectionContext;
import dev.attest.core.Collector;
import dev.attest.core.ComponentId;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.core.internal.eventlog.TcgEventLog;
import dev.attest.core.internal.proc.ProcFiles;
import dev.attest.core.internal.proc.ProcFormatException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Carries the TCG PC Client boot event log ({@code /sys/kernel/security/tpm0/binary_bios_measurements},
 * or a captured copy) as raw evidence for the verifier, which replays it against a TPM quote
 * (attest-tpm). This collector parses the log with the SDK's one event log parser (the verifier's
 * too; TCG PC Client Platform Firmware Profile §10.2, §10.4) to check that it is well-formed, and
 * counts the events.
 *
 * <p>Reports one measurement {@code tcg-boot-event-log} in layer {@link Layer#FIRMWARE}: digest =
 * SHA-256 of the log bytes; values {@code event-log} (the raw bytes), {@code size}, {@code events},
 * {@code format} ({@code crypto-agile} or {@code sha1}), {@code algorithms} (list of the digest
 * algorithm names the log's Spec ID event declares, e.g. {@code sha1}, {@code sha256}) and
 * {@code source}. A log that is malformed (truncated, inconsistent sizes) is an ERROR measurement
 * that still carries the digest, the raw bytes and the events counted before the failure, plus
 * {@code error-reason} and {@code error-offset}. A log larger than the bound (default 4 MiB) is an
 * ERROR without the bytes. When the log does not exist (no TPM, or securityfs not mounted) or is
 * not readable, the measurement is UNSUPPORTED and says why.
 */
public final class BootEventLogCollector implements Collector {
    /** Where the kernel exposes the log of the first TPM. */
    public static final Path DEFAULT_PATH = Path.of("/sys/kernel/security/tpm0/binary_bios_measurements");
    /** Default bound on the log size. */
    public static final int DEFAULT_MAX_BYTES = 4 << 20;
    /** Id of this collector. */
    public static final String ID = "boot-event-log";
    private static final ComponentId COMPONENT = ComponentId.of("tcg-boot-event-log");

    private final Path path;
    private final int maxBytes;

    /** Reads the kernel's log (ServiceLoader entry point). */
    public BootEventLogCollector() {
        this(DEFAULT_PATH, DEFAULT_MAX_BYTES);
    }

    private BootEventLogCollector(Path path, int maxBytes) {
        this.path = Objects.requireNonNull(path, "path");
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1");
        }
        this.maxBytes = maxBytes;
    }

    /**
     * Reads the log at {@code path} (a captured log, or another TPM's).
     *
     * @param path the event log file
     * @return the collector
     */
    public static BootEventLogCollector of(Path path) {
        return new BootEventLogCollector(path, DEFAULT_MAX_BYTES);
    }

    /**
     * Reads the log at {@code path}, refusing logs larger than {@code maxBytes}.
     *
     * @param path the event log file
     * @param maxBytes the largest log accepted, in bytes
     * @return the collector
     * @throws IllegalArgumentException if {@code maxBytes < 1}
     */
    public static BootEventLogCollector of(Path path, int maxBytes) {
        return new BootEventLogCollector(path, maxBytes);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Measurement> collect(CollectionContext context) throws IOException {
        byte[] log;
        try {
            log = ProcFiles.readBounded(path, maxBytes);
        } catch (NoSuchFileException e) {
            return List.of(Measurement.unsupported(ID, COMPONENT, Layer.FIRMWARE, context.time(), path
                    + " does not exist (no TPM, firmware without an event log, or securityfs not mounted)"));
        } catch (AccessDeniedException e) {
            return List.of(Measurement.unsupported(ID, COMPONENT, Layer.FIRMWARE, context.time(),
                    "not permitted to read " + path + " (root needed)"));
        } catch (ProcFormatException e) {
            return List.of(Measurement.builder(COMPONENT, Layer.FIRMWARE).collector(ID).time(context.time())
                    .value("source", path.toString()).value("error-reason", e.reason().name())
                    .status(Measurement.Status.ERROR, e.getMessage()).build());
        }
        Measurement.Builder b = Measurement.builder(COMPONENT, Layer.FIRMWARE).collector(ID).time(context.time())
                .digest(DigestAlgorithm.SHA_256.hash(log)).value("event-log", new Value.Bytes(log))
                .value("size", log.length).value("source", path.toString());
        try {
            TcgEventLog parsed = TcgEventLog.parse(log);
            b.value("events", parsed.events().size()).value("format", parsed.cryptoAgile() ? "crypto-agile" : "sha1")
                    .value("algorithms", new Value.ListValue(parsed.algorithms().stream().map(a -> new Value.Text(algName(a)))
                            .collect(Collectors.toList())));
        } catch (TcgEventLog.Failure f) {
            b.value("events", f.events()).value("error-reason", f.format().reason().name())
                    .value("error-offset", f.format().position())
                    .status(Measurement.Status.ERROR, "malformed event log: " + f.getMessage());
        }
        return List.of(b.build());
    }

    /** The lowercase TPM_ALG_ID name of a digest algorithm (TCG Algorithm Registry), or its hex. */
    private static String algName(int alg) {
        switch (alg) {
            case 0x0004: return "sha1";
            case 0x000b: return "sha256";
            case 0x000c: return "sha384";
            case 0x000d: return "sha512";
            case 0x0012: return "sm3_256";
            case 0x0027: return "sha3_256";
            case 0x0028: return "sha3_384";
            case 0x0029: return "sha3_512";
            default: return String.format("0x%04x", alg);
        }
    }

    @Override
    public String toString() {
        return "BootEventLogCollector[" + path + "]";
    }
}
