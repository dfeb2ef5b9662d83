package dev.attest.evidence;

import static dev.attest.evidence.EatProfile.*;

import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.internal.MeasurementCodec;
import dev.attest.core.internal.cbor.CborDecoder;
import dev.attest.core.internal.cbor.CborException;
import dev.attest.core.internal.cbor.CborReader;
import dev.attest.evidence.EvidenceException.Reason;
import dev.attest.evidence.internal.Diagnostic;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a claims set under this SDK's profile ({@link EatProfile}) straight from the payload
 * bytes, without a CBOR tree: the payload must have passed {@link CborDecoder#validate} with the
 * token's limits, so it is one well-formed item without duplicate keys, and this reader checks
 * only what the claims mean. The counterpart of {@link ClaimsCodec#toCbor}.
 */
final class ClaimsReader {
    private static final long MAX_NUMERIC_DATE = 253_402_300_799L;
    private static final int MAJOR_UINT = 0;
    private static final int MAJOR_NINT = 1;
    private static final int MAJOR_BYTES = 2;
    private static final int MAJOR_TEXT = 3;
    private static final int MAJOR_ARRAY = 4;
    private static final int MAJOR_MAP = 5;

    private final byte[] in;
    private final CborReader r;
    /** One per token: its measurements repeat their layers and collector ids. */
    private final MeasurementCodec.Decoder measurementDecoder;

    private ClaimsReader(byte[] payload, MeasurementCodec.Cache cache) {
        this.in = payload;
        this.r = CborReader.validated(payload, 0, payload.length);
        this.measurementDecoder = new MeasurementCodec.Decoder(cache);
    }

    /** The top-level ueid of a validated payload, if it is a claims map with a byte-string ueid. */
    static Optional<byte[]> ueid(byte[] payload) throws EvidenceException {
        ClaimsReader c = new ClaimsReader(payload, null);
        try {
            if (c.r.peekMajorType() != MAJOR_MAP) {
                return Optional.empty();
            }
            for (int n = c.r.mapHeader(); n > 0; n--) {
                boolean isUeid = false;
                if (c.r.peekMajorType() == MAJOR_UINT) {
                    isUeid = c.r.integer() == UEID;
                } else {
                    c.r.skip();
                }
                if (isUeid && c.r.peekMajorType() == MAJOR_BYTES) {
                    return Optional.of(c.r.bytes());
                }
                c.r.skip();
            }
            return Optional.empty();
        } catch (CborException e) {
            throw unreadable(e);
        }
    }

    /**
     * The claims of a validated payload, its measurements looked up in {@code cache} (null for
     * none) first (see {@link MeasurementCodec.Cache}: the same claims either way).
     */
    static EatClaims read(byte[] payload, MeasurementCodec.Cache cache) throws EvidenceException {
        ClaimsReader c = new ClaimsReader(payload, cache);
        try {
            if (c.r.peekMajorType() != MAJOR_MAP) {
                throw bad("the claims set must be a map");
            }
            return c.claims("", true);
        } catch (CborException e) {
            throw unreadable(e);
        }
    }

    private EatClaims claims(String path, boolean top) throws CborException, EvidenceException {
        EatClaims.Builder b = EatClaims.builder();
        Map<String, EatClaims> subs = new LinkedHashMap<>();
        // Submodules holding nothing but measurements, which the log may carry: kept as lists
        // until the log says whether they are its own (then the log extent holds them).
        Map<String, List<Measurement>> measuredOnly = new HashMap<>();
        int log = -1;
        try {
            for (int n = r.mapHeader(); n > 0; n--) {
                int major = r.peekMajorType();
                if (major != MAJOR_UINT && major != MAJOR_NINT) {
                    b.unknownClaim(diagnostic(), diagnostic());
                    continue;
                }
                long key = r.integer();
                String at = top && key >= 0 && key < TOP_PATHS.length ? TOP_PATHS[(int) key] : path + "/" + key;
                switch ((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, key))) {
                    case ISS -> b.iss(text(at));
                    case SUB -> b.sub(text(at));
                    case EXP -> b.exp(time(at));
                    case NBF -> b.nbf(time(at));
                    case IAT -> b.iat(time(at));
                    case CTI -> b.cti(bytes(at));
                    case NONCE -> {
                        if (r.peekMajorType() == MAJOR_ARRAY) {
                            int count = r.arrayHeader();
                            if (count == 0) {
                                throw bad(at + ": empty nonce array");
                            }
                            for (; count > 0; count--) {
                                b.nonce(bytes(at));
                            }
                        } else {
                            b.nonce(bytes(at));
                        }
                    }
                    case UEID -> b.ueid(bytes(at));
                    case OEMID -> b.oemid(bytes(at));
                    case HWMODEL -> b.hwmodel(bytes(at));
                    case HWVERSION -> b.hwversion(version(at));
                    case UPTIME -> b.uptime(uint(at));
                    case DBGSTAT -> {
                        long d = uint(at);
                        if (d >= DebugStatus.values().length) {
                            throw bad(at + ": unknown dbgstat " + d);
                        }
                        b.dbgstat(DebugStatus.values()[(int) d]);
                    }
                    case EAT_PROFILE -> b.profile(text(at));
                    case BOOTCOUNT -> b.bootcount(uint(at));
                    case BOOTSEED -> b.bootseed(bytes(at));
                    case SWNAME -> b.swname(text(at));
                    case SWVERSION -> b.swversion(version(at));
                    case MEASUREMENTS -> b.measurements(measurements(at));
                    case MEASRES -> measres(b, at);
                    case SUBMODS -> submodules(subs, measuredOnly, at);
                    case ATTEST_LOG -> {
                        if (!top) {
                            throw bad(at + ": the measurement log belongs at the top level");
                        }
                        log = mapAt(at);
                    }
                    default -> b.unknownClaim(Long.toString(key), diagnostic());
                }
            }
        } catch (IllegalArgumentException e) {
            throw bad(path + ": " + e.getMessage());
        }
        if (log < 0) {
            measuredOnly.forEach((name, ms) -> subs.put(name, EatClaims.builder().adopt(ms).build()));
        } else {
            r.seek(log);
            Map<String, List<Measurement>> layers = new HashMap<>();
            b.log(logExtent(measuredOnly, subs, layers, path + "/" + ATTEST_LOG)).logLayers(layers);
        }
        try {
            subs.forEach(b::submod);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw bad(path + ": " + e.getMessage());
        }
    }

    /**
     * Reads the submodules map at the reader's position into {@code subs}, or into
     * {@code measuredOnly} for those that hold nothing but measurements.
     */
    private void submodules(Map<String, EatClaims> subs, Map<String, List<Measurement>> measuredOnly, String subsAt)
            throws CborException, EvidenceException {
        if (r.peekMajorType() != MAJOR_MAP) {
            throw bad(subsAt + ": must be a map");
        }
        for (int n = r.mapHeader(); n > 0; n--) {
            String name = text(subsAt);
            String at = subsAt + "/" + name;
            if (r.peekMajorType() != MAJOR_MAP) {
                throw bad(at + ": must be a map");
            }
            int sub = r.position();
            if (r.mapHeader() == 1 && r.peekMajorType() == MAJOR_UINT && r.integer() == MEASUREMENTS) {
                measuredOnly.put(name, measurements(at + "/" + MEASUREMENTS));
            } else {
                r.seek(sub);
                subs.put(name, claims(at, false));
            }
        }
    }

    /**
     * Reads the log map at the reader's position and rebuilds the extent from its chain order
     * and the measurement-only submodules it names. Every measurement of a named submodule must
     * be used exactly once; the measurement-only submodules the log does not name go to
     * {@code subs} as they are.
     */
    private LogExtent logExtent(Map<String, List<Measurement>> measuredOnly, Map<String, EatClaims> subs,
            Map<String, List<Measurement>> layers, String at) throws CborException, EvidenceException {
        int[] field = new int[8];
        Arrays.fill(field, -1);
        int n = r.mapHeader();
        for (int i = 0; i < n; i++) {
            int keyAt = r.position();
            long k = r.peekMajorType() == MAJOR_UINT ? r.integer() : -1;
            if (k < 1 || k > 7) {
                r.seek(keyAt);
                throw bad(at + ": unknown log field " + diagnostic());
            }
            field[(int) k] = r.position();
            if (i < n - 1) {
                // The last value need not be passed over: each field is read from where it starts.
                r.skip();
            }
        }
        for (int k = 1; k <= 7; k++) {
            if (field[k] < 0) {
                throw bad(at + ": missing field " + k);
            }
        }
        long algId = uint(field[1], at + "/1");
        DigestAlgorithm alg = DigestAlgorithm.byNamedInformationId(algId)
                .orElseThrow(() -> bad(at + "/1: log digest algorithm " + algId + " is not allowed"));
        r.seek(field[2]);
        String bootId = text(at + "/2");
        long sinceSeq = uint(field[3], at + "/3");
        r.seek(field[4]);
        byte[] sinceHead = bytes(at + "/4");
        long headSeq = uint(field[5], at + "/5");
        r.seek(field[6]);
        byte[] head = bytes(at + "/6");
        r.seek(field[7]);
        if (r.peekMajorType() != MAJOR_ARRAY) {
            throw bad(at + "/7: the log order must be an array");
        }
        int count = r.arrayHeader();
        // Each named submodule's measurements and how many of them the chain has taken so far.
        Map<String, Taken> taken = new HashMap<>();
        // The encodings of the names met so far: the order repeats a few names many times, and a
        // name encoded as one met before is that name, without decoding or looking it up.
        int[] seenFrom = new int[SEEN];
        int[] seenTo = new int[SEEN];
        Taken[] seenAs = new Taken[SEEN];
        int seen = 0;
        // The entry before: the chain runs through one layer at a time, so most entries repeat it.
        int lastFrom = 0;
        int lastTo = 0;
        Taken last = null;
        List<Measurement> chain = new ArrayList<>(count);
        String orderAt = at + "/7";
        for (int i = 0; i < count; i++) {
            int itemFrom = r.position();
            Taken t = null;
            int lastLength = lastTo - lastFrom;
            if (last != null && itemFrom + lastLength <= in.length
                    && sameBytes(lastFrom, lastTo, itemFrom, itemFrom + lastLength)) {
                // The same bytes as the entry before, a whole text item: that name again.
                t = last;
                r.seek(itemFrom + lastLength);
            } else if (r.peekMajorType() == MAJOR_TEXT) {
                r.skip();
                int itemTo = r.position();
                for (int k = 0; k < seen && t == null; k++) {
                    if (sameBytes(seenFrom[k], seenTo[k], itemFrom, itemTo)) {
                        t = seenAs[k];
                    }
                }
                if (t == null) {
                    r.seek(itemFrom);
                }
            }
            if (t == null) {
                String named = text(orderAt);
                t = taken.get(named);
                if (t == null) {
                    t = new Taken(named, lookUp(named, measuredOnly, subs, at));
                    taken.put(named, t);
                }
                if (seen < SEEN) {
                    seenFrom[seen] = itemFrom;
                    seenTo[seen] = r.position();
                    seenAs[seen++] = t;
                }
            }
            if (t.next == t.measurements.size()) {
                throw bad(orderAt + ": the log names more " + t.name + " measurements than the submodule holds");
            }
            last = t;
            lastFrom = itemFrom;
            lastTo = r.position();
            Measurement m = t.measurements.get(t.next++);
            if (m.layer() != t.layer) {
                if (!m.layer().name().equals(t.name)) {
                    throw bad(orderAt + ": a measurement of layer " + m.layer().name() + " sits in submodule " + t.name);
                }
                t.layer = m.layer();
            }
            chain.add(m);
        }
        for (Map.Entry<String, List<Measurement>> e : measuredOnly.entrySet()) {
            Taken t = taken.get(e.getKey());
            if (t == null) {
                subs.put(e.getKey(), EatClaims.builder().adopt(e.getValue()).build());
            } else if (t.next != e.getValue().size()) {
                throw bad(at + ": submodule " + e.getKey() + " holds " + (e.getValue().size() - t.next)
                        + " measurements the log does not account for");
            } else {
                // Every one taken, each of layer t.name, in the chain's order: the layer's share of the log.
                layers.put(t.name, t.measurements);
            }
        }
        try {
            return new LogExtent(new LogHead(sinceSeq, new Digest(alg, sinceHead), bootId),
                    new LogHead(headSeq, new Digest(alg, head), bootId), chain);
        } catch (IllegalArgumentException e) {
            throw bad(at + ": " + e.getMessage());
        }
    }

    /** Whether {@code in[aFrom, aTo)} and {@code in[bFrom, bTo)} are equal (a plain loop: they are a few bytes). */
    private boolean sameBytes(int aFrom, int aTo, int bFrom, int bTo) {
        if (aTo - aFrom != bTo - bFrom) {
            return false;
        }
        for (int i = 0; i < aTo - aFrom; i++) {
            if (in[aFrom + i] != in[bFrom + i]) {
                return false;
            }
        }
        return true;
    }

    /** The paths of the top-level claims with keys below 300 (every EAT claim this reader knows), built once. */
    private static final String[] TOP_PATHS = java.util.stream.IntStream.range(0, 300).mapToObj(k -> "/" + k)
            .toArray(String[]::new);

    /** How many name encodings the log order remembers (beyond, names are decoded and looked up). */
    private static final int SEEN = 16;

    /** A submodule the log order names: its measurements and how many the chain has taken. */
    private static final class Taken {
        final String name;
        final List<Measurement> measurements;
        int next;
        /** A layer named {@link #name}, once one was met: the same object needs no comparing. */
        Layer layer;

        Taken(String name, List<Measurement> measurements) {
            this.name = name;
            this.measurements = measurements;
        }
    }

    /** The measurements of the submodule {@code name} the log order names, or why it cannot. */
    private static List<Measurement> lookUp(String name, Map<String, List<Measurement>> measuredOnly,
            Map<String, EatClaims> subs, String at) throws EvidenceException {
        List<Measurement> ms = measuredOnly.get(name);
        if (ms != null) {
            return ms;
        }
        EatClaims sub = subs.get(name);
        if (sub == null) {
            throw bad(at + "/7: the log names submodule " + name + ", which is not in the evidence");
        }
        if (!sub.submods().isEmpty() || !sub.measurementResults().isEmpty() || !sub.unknownClaims().isEmpty()
                || hasOtherClaims(sub)) {
            throw bad(at + ": log submodule " + name + " carries claims other than measurements");
        }
        throw bad(at + "/7: the log names more " + name + " measurements than the submodule holds");
    }

    /** Whether {@code sub} has a claim besides measurements, submodules, results and unknown claims. */
    static boolean hasOtherClaims(EatClaims sub) {
        return sub.iat().isPresent() || sub.exp().isPresent() || sub.nbf().isPresent() || !sub.nonces().isEmpty()
                || sub.ueid().isPresent() || sub.oemid().isPresent() || sub.hwmodel().isPresent()
                || sub.hwversion().isPresent() || sub.swname().isPresent() || sub.swversion().isPresent()
                || sub.dbgstat().isPresent() || sub.uptime().isPresent() || sub.bootcount().isPresent()
                || sub.bootseed().isPresent() || sub.profile().isPresent() || sub.iss().isPresent()
                || sub.sub().isPresent() || sub.cti().isPresent();
    }

    private List<Measurement> measurements(String at) throws CborException, EvidenceException {
        if (r.peekMajorType() != MAJOR_ARRAY) {
            throw bad(at + ": measurements must be an array");
        }
        int n = r.arrayHeader();
        List<Measurement> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            // Paths are built only for a refusal: this loop runs for every measurement.
            if (r.peekMajorType() != MAJOR_ARRAY || r.arrayHeader() != 2) {
                throw bad(at + "/" + i + ": a measurement is [content-format, bytes]");
            }
            int major = r.peekMajorType();
            int formatAt = r.position();
            if ((major != MAJOR_UINT && major != MAJOR_NINT) || r.integer() != MEASUREMENT_CONTENT_FORMAT) {
                r.seek(formatAt);
                throw bad(at + "/" + i + "/0: measurement content format " + diagnostic() + " is not understood");
            }
            if (r.peekMajorType() != MAJOR_BYTES) {
                throw bad(at + "/" + i + "/1: must be a byte string");
            }
            // Decoded straight from the bytes, accepting only the canonical form: the chain
            // hashes these bytes, and a measurement that decodes but would re-encode differently
            // could make two evidences with the same chain disagree. The copy is the
            // measurement's own canonical encoding from now on.
            byte[] m = r.bytes();
            try {
                out.add(measurementDecoder.decode(m));
            } catch (CborException e) {
                throw bad(at + "/" + i + ": measurement is not canonical CBOR: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw bad(at + "/" + i + ": " + e.getMessage());
            }
        }
        return Collections.unmodifiableList(out);
    }

    private void measres(EatClaims.Builder b, String at) throws CborException, EvidenceException {
        if (r.peekMajorType() != MAJOR_ARRAY) {
            throw bad(at + ": measres must be an array");
        }
        for (int groups = r.arrayHeader(); groups > 0; groups--) {
            if (r.peekMajorType() != MAJOR_ARRAY || r.arrayHeader() != 2) {
                throw bad(at + ": a measres group is [system, [results]]");
            }
            String system = text(at);
            if (r.peekMajorType() != MAJOR_ARRAY) {
                throw bad(at + ": a measres group is [system, [results]]");
            }
            List<MeasurementResults.Result> results = new ArrayList<>();
            for (int n = r.arrayHeader(); n > 0; n--) {
                if (r.peekMajorType() != MAJOR_ARRAY || r.arrayHeader() != 2) {
                    throw bad(at + ": a result is [id, code]");
                }
                String id = text(at);
                long code = uint(at);
                if (code < 1 || code > 4) {
                    throw bad(at + ": result code " + code + " is not 1..4");
                }
                results.add(new MeasurementResults.Result(id, MeasurementResults.Outcome.values()[(int) code - 1]));
            }
            b.measurementResults(new MeasurementResults(system, results));
        }
    }

    /** The position of the map at the reader's position, which is passed over. */
    private int mapAt(String at) throws CborException, EvidenceException {
        if (r.peekMajorType() != MAJOR_MAP) {
            throw bad(at + ": must be a map");
        }
        int start = r.position();
        r.skip();
        return start;
    }

    private String text(String at) throws CborException, EvidenceException {
        if (r.peekMajorType() != MAJOR_TEXT) {
            throw bad(at + ": must be a text string");
        }
        return r.text();
    }

    private String version(String at) throws CborException, EvidenceException {
        // RFC 9711 §4.2.5/§4.2.7: [version, ? scheme]; the scheme is informative.
        int n = r.peekMajorType() == MAJOR_ARRAY ? r.arrayHeader() : 0;
        if (n < 1 || n > 2) {
            throw bad(at + ": a version is [text, ? scheme]");
        }
        String v = text(at);
        if (n == 2) {
            int major = r.peekMajorType();
            if (major != MAJOR_UINT && major != MAJOR_NINT) {
                throw bad(at + ": a version scheme is an integer");
            }
            r.skip();
        }
        return v;
    }

    private byte[] bytes(String at) throws CborException, EvidenceException {
        if (r.peekMajorType() != MAJOR_BYTES) {
            throw bad(at + ": must be a byte string");
        }
        return r.bytes();
    }

    private long uint(int position, String at) throws CborException, EvidenceException {
        r.seek(position);
        return uint(at);
    }

    private long uint(String at) throws CborException, EvidenceException {
        if (r.peekMajorType() != MAJOR_UINT) {
            throw bad(at + ": must be an unsigned integer");
        }
        return r.integer();
    }

    private Instant time(String at) throws CborException, EvidenceException {
        // NumericDate (RFC 8392 §2); this profile uses whole seconds only, up to year 9999.
        long t = uint(at);
        if (t > MAX_NUMERIC_DATE) {
            throw bad(at + ": time beyond the year 9999");
        }
        return Instant.ofEpochSecond(t);
    }

    /** The next item in diagnostic notation (claims this profile does not know), passed over. */
    private String diagnostic() throws CborException {
        int from = r.position();
        r.skip();
        return Diagnostic.of(CborDecoder.lenient(in.length, Integer.MAX_VALUE, in.length)
                .decode(Arrays.copyOfRange(in, from, r.position())));
    }

    private static EvidenceException unreadable(CborException e) {
        // The payload was validated: the reader meeting malformed CBOR would be a bug, still a refusal.
        return new EvidenceException(Reason.MALFORMED_CBOR, "payload: " + e.getMessage(), e);
    }

    private static EvidenceException bad(String message) {
        return new EvidenceException(Reason.BAD_CLAIMS, message);
    }
}
