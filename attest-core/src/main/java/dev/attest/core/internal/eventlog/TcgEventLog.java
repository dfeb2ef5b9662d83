package dev.attest.core.internal.eventlog;

import dev.attest.core.internal.proc.ProcFormatException;
import dev.attest.core.internal.proc.ProcFormatException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The SDK's one parser of the TCG PC Client boot event log as the firmware hands it to the OS
 * ({@code /sys/kernel/security/tpm0/binary_bios_measurements}): TCG PFP §10.2 and §10.4. The
 * device's {@code BootEventLogCollector} and the verifier's {@code dev.attest.tpm.eventlog.EventLog}
 * both read a log through it, so the two sides cannot disagree on what a byte means. Both
 * formats are parsed: crypto-agile (first event a "Spec ID Event03" Spec ID event, then
 * TCG_PCR_EVENT2 records) and the SHA-1 format (TCG_PCR_EVENT records). Parsing is strict and
 * bounded: every size is checked against the remaining input, event digests must match the
 * algorithms and sizes of the Spec ID event (one digest per declared algorithm, none twice), a
 * PCR index is 0..63 (or 0xFFFFFFFF on an EV_NO_ACTION event, which Windows appends), and an
 * EV_NO_ACTION first event that is not a Spec ID event is rejected.
 *
 * @param cryptoAgile whether the log is in the crypto-agile format
 * @param specId the Spec ID event, if the log has one
 * @param events every event in order, including the Spec ID event (index 0) when present
 */
public record TcgEventLog(boolean cryptoAgile, Optional<SpecId> specId, List<Event> events) {
    /** Bound on the log size (real logs are tens to hundreds of KiB). */
    public static final int MAX_LOG_SIZE = 16 << 20;
    /** Bound on algorithms in a Spec ID event. */
    public static final int MAX_ALGORITHMS = 16;
    /** Bound on a PCR index. */
    public static final int MAX_PCR = 63;
    /** PCR index 0xFFFFFFFF: an event recorded in no PCR; accepted only with EV_NO_ACTION. */
    public static final int NO_PCR = -1;
    /** EV_NO_ACTION (TCG PFP §10.4.1): an event that extends no PCR. */
    public static final int EV_NO_ACTION = 3;
    /** TPM_ALG_SHA1, the algorithm of every digest in a SHA-1 format log. */
    public static final int ALG_SHA1 = 0x0004;

    private static final byte[] SIG_03 = "Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIG_00 = "Spec ID Event00\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIG_02 = "Spec ID Event02\0".getBytes(StandardCharsets.US_ASCII);

    /** Copies. */
    public TcgEventLog {
        events = List.copyOf(events);
    }

    /**
     * One TCG_PCR_EVENT or TCG_PCR_EVENT2 (TCG PFP §10.2.1 / §10.2.2).
     *
     * @param index position in the log, 0 for the first
     * @param offset byte offset in the log
     * @param pcr the PCR index, or {@link #NO_PCR}
     * @param type the 32-bit event type
     * @param digests one per algorithm, in log order
     * @param data the event data (not copied: internal use only)
     */
    public record Event(int index, long offset, int pcr, int type, List<Digest> digests, byte[] data) {
        /** Copies the list. */
        public Event {
            digests = List.copyOf(digests);
        }
    }

    /**
     * One TPMT_HA (TCG PFP §10.2.2 TPML_DIGEST_VALUES).
     *
     * @param algId the TPM_ALG_ID
     * @param digest the digest (not copied: internal use only)
     */
    public record Digest(int algId, byte[] digest) {
    }

    /**
     * One TCG_EfiSpecIdEventAlgorithmSize.
     *
     * @param algId the TPM_ALG_ID
     * @param digestSize its digest size in bytes
     */
    public record AlgorithmSize(int algId, int digestSize) {
    }

    /**
     * TCG_EfiSpecIDEventStruct (TCG PFP §10.4.5.1).
     *
     * @param signature "Spec ID Event03", "Spec ID Event00" or "Spec ID Event02"
     * @param platformClass 0 client, 1 server
     * @param specVersionMajor major version
     * @param specVersionMinor minor version
     * @param specErrata errata
     * @param uintnSize 1 for UINT32, 2 for UINT64 UINTN fields
     * @param algorithms the algorithms and digest sizes (crypto-agile only)
     * @param vendorInfo vendor data (not copied: internal use only)
     */
    public record SpecId(String signature, int platformClass, int specVersionMajor, int specVersionMinor, int specErrata,
            int uintnSize, List<AlgorithmSize> algorithms, byte[] vendorInfo) {
        /** Copies the list. */
        public SpecId {
            algorithms = List.copyOf(algorithms);
        }
    }

    /** A log that does not parse, with the number of events that were complete before the failure. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient ProcFormatException format;
        private final int events;

        Failure(ProcFormatException format, int events) {
            super(format.getMessage(), format);
            this.format = format;
            this.events = events;
        }

        /** @return the reason and the byte offset of the failure */
        public ProcFormatException format() {
            return format;
        }

        /** @return events complete before the failure */
        public int events() {
            return events;
        }
    }

    /**
     * The digest size of the TPM_ALG_IDs whose size is fixed (TCG Algorithm Registry): SHA-1,
     * SHA-256, SHA-384, SHA-512, SM3_256, SHA3-256, SHA3-384, SHA3-512.
     */
    public static Optional<Integer> knownDigestSize(int algId) {
        switch (algId) {
            case 0x0004: return Optional.of(20);
            case 0x000B: case 0x0012: case 0x0027: return Optional.of(32);
            case 0x000C: case 0x0028: return Optional.of(48);
            case 0x000D: case 0x0029: return Optional.of(64);
            default: return Optional.empty();
        }
    }

    /**
     * Parses a binary event log.
     *
     * @param log the log bytes (not copied: the caller must not change them)
     * @return the parsed log
     * @throws Failure with reason TRUNCATED, TOO_LARGE (the log exceeds {@link #MAX_LOG_SIZE}),
     *     INVALID_SPEC_ID_EVENT, DIGEST_SIZE_MISMATCH, UNKNOWN_ALGORITHM (an event digest algorithm
     *     not in the Spec ID event) or BAD_VALUE, and the byte offset
     */
    public static TcgEventLog parse(byte[] log) throws Failure {
        List<Event> events = new ArrayList<>();
        try {
            if (log.length > MAX_LOG_SIZE) {
                throw new ProcFormatException(Reason.TOO_LARGE, 0, "event log of " + log.length + " bytes");
            }
            if (log.length == 0) {
                throw new ProcFormatException(Reason.TRUNCATED, 0, "empty event log");
            }
            Le r = new Le(log, 0);
            Event first = readSha1Event(r, 0);
            Optional<SpecId> specId = Optional.empty();
            boolean agile = false;
            if (first.type() == EV_NO_ACTION) {
                SpecId s = parseSpecId(first);
                specId = Optional.of(s);
                agile = s.signature().equals("Spec ID Event03");
            }
            events.add(first);
            while (r.remaining() > 0) {
                events.add(agile ? readEvent2(r, events.size(), specId.orElseThrow()) : readSha1Event(r, events.size()));
            }
            return new TcgEventLog(agile, specId, events);
        } catch (ProcFormatException e) {
            throw new Failure(e, events.size());
        }
    }

    /** The algorithms of the log's digests: the Spec ID event's, or SHA-1 for the SHA-1 format. */
    public List<Integer> algorithms() {
        if (!cryptoAgile) {
            return List.of(ALG_SHA1);
        }
        return specId.orElseThrow().algorithms().stream().map(AlgorithmSize::algId).toList();
    }

    private static int pcr(Le r) throws ProcFormatException {
        long at = r.offset();
        int pcr = r.u32("pcrIndex");
        if (pcr != NO_PCR && (pcr < 0 || pcr > MAX_PCR)) {
            throw new ProcFormatException(Reason.BAD_VALUE, at, "PCR index " + Integer.toUnsignedString(pcr));
        }
        return pcr;
    }

    private static void noPcrOnlyWithoutAction(int pcr, int type, long at) throws ProcFormatException {
        if (pcr == NO_PCR && type != EV_NO_ACTION) {
            throw new ProcFormatException(Reason.BAD_VALUE, at, "PCR index 0xFFFFFFFF on an event that extends");
        }
    }

    private static byte[] eventData(Le r) throws ProcFormatException {
        long at = r.offset();
        int size = r.u32("eventSize");
        if (size < 0 || size > r.remaining()) {
            throw new ProcFormatException(Reason.TRUNCATED, at, "event size " + Integer.toUnsignedString(size)
                    + " exceeds the " + r.remaining() + " bytes left");
        }
        return r.bytes(size, "event");
    }

    private static Event readSha1Event(Le r, int index) throws ProcFormatException {
        long at = r.offset();
        int pcr = pcr(r);
        int type = r.u32("eventType");
        noPcrOnlyWithoutAction(pcr, type, at);
        byte[] digest = r.bytes(20, "digest");
        return new Event(index, at, pcr, type, List.of(new Digest(ALG_SHA1, digest)), eventData(r));
    }

    private static Event readEvent2(Le r, int index, SpecId spec) throws ProcFormatException {
        long at = r.offset();
        int pcr = pcr(r);
        int type = r.u32("eventType");
        noPcrOnlyWithoutAction(pcr, type, at);
        long cAt = r.offset();
        int count = r.u32("digests.count");
        if (count != spec.algorithms().size()) {
            throw new ProcFormatException(Reason.BAD_VALUE, cAt, "event has " + Integer.toUnsignedString(count)
                    + " digests, the Spec ID event declares " + spec.algorithms().size());
        }
        List<Digest> digests = new ArrayList<>(count);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            long aAt = r.offset();
            int alg = r.u16("digest.hashAlg");
            AlgorithmSize as = null;
            for (AlgorithmSize a : spec.algorithms()) {
                if (a.algId() == alg) {
                    as = a;
                }
            }
            if (as == null) {
                throw new ProcFormatException(Reason.UNKNOWN_ALGORITHM, aAt,
                        String.format("digest algorithm 0x%04X not in the Spec ID event", alg));
            }
            if (!seen.add(alg)) {
                throw new ProcFormatException(Reason.BAD_VALUE, aAt, String.format("digest algorithm 0x%04X twice", alg));
            }
            digests.add(new Digest(alg, r.bytes(as.digestSize(), "digest")));
        }
        return new Event(index, at, pcr, type, digests, eventData(r));
    }

    private static SpecId parseSpecId(Event first) throws ProcFormatException {
        byte[] d = first.data();
        byte[] sig = d.length < 16 ? d : Arrays.copyOf(d, 16);
        boolean agile = Arrays.equals(sig, SIG_03);
        if (!agile && !Arrays.equals(sig, SIG_00) && !Arrays.equals(sig, SIG_02)) {
            // e.g. a StartupLocality event first: it is only meaningful after the Spec ID event (PFP §10.4.5.3)
            throw new ProcFormatException(Reason.INVALID_SPEC_ID_EVENT, first.offset(),
                    "first event is EV_NO_ACTION but not a Spec ID event");
        }
        if (first.pcr() != 0 || !Arrays.equals(first.digests().get(0).digest(), new byte[20])) {
            throw new ProcFormatException(Reason.INVALID_SPEC_ID_EVENT, first.offset(),
                    "Spec ID event must be in PCR 0 with an all-zero digest");
        }
        long base = first.offset() + 32;
        Le r = new Le(d, base);
        try {
            r.bytes(16, "signature");
            int platformClass = r.u32("platformClass");
            int minor = r.u8("specVersionMinor");
            int major = r.u8("specVersionMajor");
            int errata = r.u8("specErrata");
            int uintn = r.u8("uintnSize");
            List<AlgorithmSize> algs = new ArrayList<>();
            if (agile) {
                if (uintn != 1 && uintn != 2) {
                    throw new ProcFormatException(Reason.INVALID_SPEC_ID_EVENT, base + 27, "uintnSize " + uintn);
                }
                int n = r.u32("numberOfAlgorithms");
                if (n <= 0 || n > MAX_ALGORITHMS) {
                    throw new ProcFormatException(Reason.INVALID_SPEC_ID_EVENT, base + 28,
                            "numberOfAlgorithms " + Integer.toUnsignedString(n));
                }
                Set<Integer> seen = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    int alg = r.u16("algorithmId");
                    int size = r.u16("digestSize");
                    Optional<Integer> known = knownDigestSize(alg);
                    if (size == 0 || size > 64 || (known.isPresent() && known.get() != size)) {
                        throw new ProcFormatException(Reason.DIGEST_SIZE_MISMATCH, r.offset() - 4,
                                String.format("algorithm 0x%04X with digest size %d", alg, size));
                    }
                    if (!seen.add(alg)) {
                        throw new ProcFormatException(Reason.INVALID_SPEC_ID_EVENT, r.offset() - 4,
                                String.format("algorithm 0x%04X listed twice", alg));
                    }
                    algs.add(new AlgorithmSize(alg, size));
                }
            }
            // TCG_EfiSpecIdEventStruct (SHA-1 format "Event00") has no algorithm list but a vendorInfoSize
            byte[] vendor = r.remaining() == 0 && !agile ? new byte[0] : r.bytes(r.u8("vendorInfoSize"), "vendorInfo");
            if (r.remaining() != 0) {
                throw new ProcFormatException(Reason.INVALID_SPEC_ID_EVENT, r.offset(),
                        "malformed Spec ID event: " + r.remaining() + " trailing bytes");
            }
            return new SpecId(new String(sig, 0, 15, StandardCharsets.US_ASCII), platformClass, major, minor, errata,
                    uintn, algs, vendor);
        } catch (ProcFormatException e) {
            if (e.reason() == Reason.DIGEST_SIZE_MISMATCH || e.reason() == Reason.INVALID_SPEC_ID_EVENT) {
                throw e;
            }
            throw new ProcFormatException(Reason.INVALID_SPEC_ID_EVENT, e.position(), "malformed Spec ID event: "
                    + e.getMessage());
        }
    }

    /** A bounded little-endian reader; positions are reported as offsets in the whole log. */
    private static final class Le {
        private final byte[] buf;
        private final long base;
        private int pos;

        Le(byte[] buf, long base) {
            this.buf = buf;
            this.base = base;
        }

        long offset() {
            return base + pos;
        }

        int remaining() {
            return buf.length - pos;
        }

        private void need(int n, String what) throws ProcFormatException {
            if (n < 0 || n > buf.length - pos) {
                throw new ProcFormatException(Reason.TRUNCATED, offset(), "log ends inside the " + what + ": need " + n
                        + " bytes, have " + (buf.length - pos));
            }
        }

        int u8(String what) throws ProcFormatException {
            need(1, what);
            return buf[pos++] & 0xFF;
        }

        int u16(String what) throws ProcFormatException {
            need(2, what);
            int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8;
            pos += 2;
            return v;
        }

        int u32(String what) throws ProcFormatException {
            need(4, what);
            int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
            pos += 4;
            return v;
        }

        byte[] bytes(int n, String what) throws ProcFormatException {
            need(n, what);
            byte[] r = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return r;
        }
    }
}
