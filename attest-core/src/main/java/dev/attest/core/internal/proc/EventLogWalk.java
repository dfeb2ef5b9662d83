package dev.attest.core.internal.proc;

import dev.attest.core.internal.proc.ProcFormatException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal walk over a TCG PC Client boot event log (TCG PC Client Platform Firmware Profile
 * §10.2 TCG_PCClientPCREvent, §10.2.2 TCG_PCR_EVENT2, §10.4.5.1 TCG_EfiSpecIDEvent): it only
 * finds the event boundaries, to count them and check that the log is well-formed. Parsing
 * event contents and replaying PCRs is attest-tpm's job.
 */
public final class EventLogWalk {
    private static final int EV_NO_ACTION = 3;
    private static final byte[] SPEC_ID_03 = "Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_ALGORITHMS = 32;
    private static final byte[] SPEC_ID_PREFIX = "Spec ID Event".getBytes(StandardCharsets.US_ASCII);

    /**
     * The outcome of a walk.
     *
     * @param events events counted (the first, SHA-1-format event included)
     * @param cryptoAgile whether the log starts with a Spec ID Event03 (TCG_PCR_EVENT2 events follow)
     * @param algorithms digest algorithms by TPM_ALG_ID name (lowercase), from the Spec ID event;
     *     {@code sha1} for a SHA-1-only log
     */
    public record Result(int events, boolean cryptoAgile, List<String> algorithms) {
    }

    /** Thrown with the number of events counted before the failure. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient ProcFormatException cause;
        private final int events;

        Failure(ProcFormatException cause, int events) {
            super(cause.getMessage(), cause);
            this.cause = cause;
            this.events = events;
        }

        public ProcFormatException format() {
            return cause;
        }

        /** Events that were complete before the failure. */
        public int events() {
            return events;
        }
    }

    private EventLogWalk() {
    }

    /** Walks {@code log}. */
    public static Result walk(byte[] log) throws Failure {
        int[] count = {0};
        try {
            return walk(log, count);
        } catch (ProcFormatException e) {
            throw new Failure(e, count[0]);
        }
    }

    private static Result walk(byte[] log, int[] count) throws ProcFormatException {
        int p = 0;
        // First event: TCG_PCClientPCREvent (SHA-1 format).
        need(log, p, 32, "first event header");
        int type = u32(log, p + 4);
        int size = u32(log, p + 28);
        int dataStart = p + 32;
        need(log, dataStart, size, "first event data");
        boolean agile = type == EV_NO_ACTION && size >= SPEC_ID_03.length + 8
                && java.util.Arrays.equals(log, dataStart, dataStart + SPEC_ID_03.length, SPEC_ID_03, 0,
                        SPEC_ID_03.length);
        if (type == EV_NO_ACTION && !agile && !startsWith(log, dataStart, size, SPEC_ID_PREFIX)) {
            // An EV_NO_ACTION first event must be a Spec ID event (Spec ID Event00/02 for
            // SHA-1 logs); anything else (e.g. a StartupLocality event) means the real first
            // event is missing.
            throw new ProcFormatException(Reason.BAD_VALUE, 0, "first event is EV_NO_ACTION but not a Spec ID event");
        }
        Map<Integer, Integer> sizes = new LinkedHashMap<>();
        if (agile) {
            // signature(16), platformClass(4), versions/errata/uintnSize(4), numberOfAlgorithms(4)
            int n = u32(log, dataStart + SPEC_ID_03.length + 8);
            int q = dataStart + SPEC_ID_03.length + 12;
            if (n < 1 || n > MAX_ALGORITHMS) {
                throw new ProcFormatException(Reason.BAD_VALUE, q - 4, "numberOfAlgorithms " + Integer.toUnsignedString(n));
            }
            if (q + 4L * n > dataStart + (long) size) {
                throw new ProcFormatException(Reason.TRUNCATED, q, "Spec ID event algorithm list");
            }
            for (int i = 0; i < n; i++) {
                int alg = u16(log, q);
                int len = u16(log, q + 2);
                if (len == 0 || len > 64) {
                    throw new ProcFormatException(Reason.BAD_VALUE, q + 2, "digest size " + len);
                }
                sizes.put(alg, len);
                q += 4;
            }
        }
        p = dataStart + size;
        count[0] = 1;
        while (p < log.length) {
            int start = p;
            if (agile) {
                need(log, p, 12, "event header");
                int digests = u32(log, p + 8);
                if (digests < 0 || digests > sizes.size()) {
                    throw new ProcFormatException(Reason.BAD_VALUE, p + 8, "digest count " + Integer.toUnsignedString(digests));
                }
                p += 12;
                for (int i = 0; i < digests; i++) {
                    need(log, p, 2, "digest algorithm");
                    Integer len = sizes.get(u16(log, p));
                    if (len == null) {
                        throw new ProcFormatException(Reason.BAD_VALUE, p, "digest algorithm 0x"
                                + Integer.toHexString(u16(log, p)) + " not in the Spec ID event");
                    }
                    need(log, p + 2, len, "digest");
                    p += 2 + len;
                }
            } else {
                need(log, p, 28, "event header");
                p += 28;
            }
            need(log, p, 4, "event size");
            int esize = u32(log, p);
            p += 4;
            if (esize < 0) {
                throw new ProcFormatException(Reason.TOO_LARGE, p - 4, "event size " + Integer.toUnsignedString(esize));
            }
            need(log, p, esize, "event data of the event at " + start);
            p += esize;
            count[0]++;
        }
        List<String> algs = new ArrayList<>();
        if (agile) {
            sizes.keySet().forEach(a -> algs.add(algName(a)));
        } else {
            algs.add("sha1");
        }
        return new Result(count[0], agile, List.copyOf(algs));
    }

    private static boolean startsWith(byte[] log, int from, int size, byte[] prefix) {
        return size >= prefix.length && java.util.Arrays.equals(log, from, from + prefix.length, prefix, 0, prefix.length);
    }

    static String algName(int alg) {
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

    private static void need(byte[] log, int p, int n, String what) throws ProcFormatException {
        if (n < 0 || (long) p + n > log.length) {
            throw new ProcFormatException(Reason.TRUNCATED, p, "log ends inside the " + what);
        }
    }

    private static int u32(byte[] b, int p) throws ProcFormatException {
        need(b, p, 4, "32-bit field");
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    private static int u16(byte[] b, int p) throws ProcFormatException {
        need(b, p, 2, "16-bit field");
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
    }
}
