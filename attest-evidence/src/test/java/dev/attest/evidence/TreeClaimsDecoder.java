package dev.attest.evidence;

import static dev.attest.evidence.EatProfile.*;

import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.LogHead;
import dev.attest.core.Measurement;
import dev.attest.core.internal.MeasurementCodec;
import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborException;
import dev.attest.evidence.EvidenceException.Reason;
import dev.attest.evidence.internal.Diagnostic;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The claims decoder as it was before {@link ClaimsReader}: from a CBOR tree built by the lenient
 * decoder. Kept as the oracle of {@code ClaimsReaderProperties}, which holds the streaming
 * reader to the same acceptances, claims and reasons.
 */
final class TreeClaimsDecoder {
    private static final long MAX_NUMERIC_DATE = 253_402_300_799L;

    private TreeClaimsDecoder() {
    }

    static EatClaims fromCbor(Cbor item) throws EvidenceException {
        if (!(item instanceof Cbor.Map m)) {
            throw bad("the claims set must be a map");
        }
        return fromMap(m, "", true);
    }

    private static EatClaims fromMap(Cbor.Map m, String path, boolean top) throws EvidenceException {
        EatClaims.Builder b = EatClaims.builder();
        Cbor.Map submods = null;
        Cbor.Map log = null;
        try {
            for (Cbor.Entry e : m.entries()) {
                if (!(e.key() instanceof Cbor.Int key)) {
                    b.unknownClaim(Diagnostic.of(e.key()), Diagnostic.of(e.value()));
                    continue;
                }
                Cbor v = e.value();
                String at = path + "/" + key.value();
                switch ((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, key.value()))) {
                    case ISS -> b.iss(text(v, at));
                    case SUB -> b.sub(text(v, at));
                    case EXP -> b.exp(time(v, at));
                    case NBF -> b.nbf(time(v, at));
                    case IAT -> b.iat(time(v, at));
                    case CTI -> b.cti(bytes(v, at));
                    case NONCE -> {
                        if (v instanceof Cbor.Array a) {
                            if (a.size() == 0) {
                                throw bad(at + ": empty nonce array");
                            }
                            for (Cbor n : a.items()) {
                                b.nonce(bytes(n, at));
                            }
                        } else {
                            b.nonce(bytes(v, at));
                        }
                    }
                    case UEID -> b.ueid(bytes(v, at));
                    case OEMID -> b.oemid(bytes(v, at));
                    case HWMODEL -> b.hwmodel(bytes(v, at));
                    case HWVERSION -> b.hwversion(version(v, at));
                    case UPTIME -> b.uptime(uint(v, at));
                    case DBGSTAT -> {
                        long d = uint(v, at);
                        if (d >= DebugStatus.values().length) {
                            throw bad(at + ": unknown dbgstat " + d);
                        }
                        b.dbgstat(DebugStatus.values()[(int) d]);
                    }
                    case EAT_PROFILE -> b.profile(text(v, at));
                    case BOOTCOUNT -> b.bootcount(uint(v, at));
                    case BOOTSEED -> b.bootseed(bytes(v, at));
                    case SWNAME -> b.swname(text(v, at));
                    case SWVERSION -> b.swversion(version(v, at));
                    case MEASUREMENTS -> b.measurements(measurements(v, at));
                    case MEASRES -> measres(b, v, at);
                    case SUBMODS -> submods = map(v, at);
                    case ATTEST_LOG -> {
                        if (!top) {
                            throw bad(at + ": the measurement log belongs at the top level");
                        }
                        log = map(v, at);
                    }
                    default -> b.unknownClaim(Long.toString(key.value()), Diagnostic.of(v));
                }
            }
        } catch (IllegalArgumentException e) {
            throw bad(path + ": " + e.getMessage());
        }
        Map<String, EatClaims> subs = new LinkedHashMap<>();
        // Submodules holding nothing but measurements, which the log may carry: kept as lists
        // until the log says whether they are its own (then the log extent holds them).
        Map<String, List<Measurement>> measuredOnly = new HashMap<>();
        if (submods != null) {
            String subsAt = path + "/" + SUBMODS;
            for (Cbor.Entry e : submods.entries()) {
                String name = text(e.key(), subsAt);
                String at = subsAt + "/" + name;
                Cbor.Map sm = map(e.value(), at);
                if (log != null && sm.entries().size() == 1 && sm.entries().get(0).key() instanceof Cbor.Int k
                        && k.value() == MEASUREMENTS) {
                    measuredOnly.put(name, measurements(sm.entries().get(0).value(), at + "/" + MEASUREMENTS));
                } else {
                    subs.put(name, fromMap(sm, at, false));
                }
            }
        }
        if (log != null) {
            b.log(logExtent(log, measuredOnly, subs, path + "/" + ATTEST_LOG));
        }
        try {
            subs.forEach(b::submod);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw bad(path + ": " + e.getMessage());
        }
    }

    /**
     * Rebuilds the log extent from the chain order and the measurement-only submodules it
     * names. Every measurement of a named submodule must be used exactly once; the
     * measurement-only submodules the log does not name go to {@code subs} as they are.
     */
    private static LogExtent logExtent(Cbor.Map log, Map<String, List<Measurement>> measuredOnly,
            Map<String, EatClaims> subs, String at) throws EvidenceException {
        for (Cbor.Entry e : log.entries()) {
            if (!(e.key() instanceof Cbor.Int k) || k.value() < 1 || k.value() > 7) {
                throw bad(at + ": unknown log field " + e.key());
            }
        }
        long algId = uint(need(log, 1, at), at + "/1");
        DigestAlgorithm alg = DigestAlgorithm.byNamedInformationId(algId)
                .orElseThrow(() -> bad(at + "/1: log digest algorithm " + algId + " is not allowed"));
        String bootId = text(need(log, 2, at), at + "/2");
        long sinceSeq = uint(need(log, 3, at), at + "/3");
        byte[] sinceHead = bytes(need(log, 4, at), at + "/4");
        long headSeq = uint(need(log, 5, at), at + "/5");
        byte[] head = bytes(need(log, 6, at), at + "/6");
        if (!(need(log, 7, at) instanceof Cbor.Array order)) {
            throw bad(at + "/7: the log order must be an array");
        }
        // How many measurements of each named submodule the chain has taken so far.
        Map<String, int[]> taken = new HashMap<>();
        List<Measurement> chain = new ArrayList<>(order.size());
        String name = null;
        List<Measurement> from = null;
        int[] next = null;
        String orderAt = at + "/7";
        for (Cbor o : order.items()) {
            String n = text(o, orderAt);
            if (!n.equals(name)) {
                // The order names the same submodule many times in a row: look it up once a run.
                from = measuredOnly.get(n);
                if (from == null) {
                    EatClaims sub = subs.get(n);
                    if (sub == null) {
                        throw bad(at + "/7: the log names submodule " + n + ", which is not in the evidence");
                    }
                    if (!sub.submods().isEmpty() || !sub.measurementResults().isEmpty()
                            || !sub.unknownClaims().isEmpty() || ClaimsReader.hasOtherClaims(sub)) {
                        throw bad(at + ": log submodule " + n + " carries claims other than measurements");
                    }
                    throw bad(at + "/7: the log names more " + n + " measurements than the submodule holds");
                }
                name = n;
                next = taken.computeIfAbsent(n, k -> new int[1]);
            }
            if (next[0] == from.size()) {
                throw bad(at + "/7: the log names more " + n + " measurements than the submodule holds");
            }
            Measurement m = from.get(next[0]++);
            if (!m.layer().name().equals(n)) {
                throw bad(at + "/7: a measurement of layer " + m.layer().name() + " sits in submodule " + n);
            }
            chain.add(m);
        }
        for (Map.Entry<String, List<Measurement>> e : measuredOnly.entrySet()) {
            int[] t = taken.get(e.getKey());
            if (t == null) {
                subs.put(e.getKey(), EatClaims.builder().measurements(e.getValue()).build());
            } else if (t[0] != e.getValue().size()) {
                throw bad(at + ": submodule " + e.getKey() + " holds " + (e.getValue().size() - t[0])
                        + " measurements the log does not account for");
            }
        }
        try {
            return new LogExtent(new LogHead(sinceSeq, new Digest(alg, sinceHead), bootId),
                    new LogHead(headSeq, new Digest(alg, head), bootId), chain);
        } catch (IllegalArgumentException e) {
            throw bad(at + ": " + e.getMessage());
        }
    }

    private static List<Measurement> measurements(Cbor v, String at) throws EvidenceException {
        if (!(v instanceof Cbor.Array a)) {
            throw bad(at + ": measurements must be an array");
        }
        List<Measurement> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            // Paths are built only for a refusal: this loop runs for every measurement.
            if (!(a.get(i) instanceof Cbor.Array pair) || pair.size() != 2) {
                throw bad(at + "/" + i + ": a measurement is [content-format, bytes]");
            }
            if (!(pair.get(0) instanceof Cbor.Int format) || format.value() != MEASUREMENT_CONTENT_FORMAT) {
                throw bad(at + "/" + i + "/0: measurement content format " + pair.get(0) + " is not understood");
            }
            if (!(pair.get(1) instanceof Cbor.Bytes b)) {
                throw bad(at + "/" + i + "/1: must be a byte string");
            }
            // Decoded straight from the bytes, accepting only the canonical form: the chain
            // hashes these bytes, and a measurement that decodes but would re-encode differently
            // could make two evidences with the same chain disagree.
            try {
                // The payload tree is the decoder's own and dropped after this: the measurement
                // may take the array as its canonical encoding.
                out.add(MeasurementCodec.decodeCanonical(b.unsafeValue()));
            } catch (CborException e) {
                throw bad(at + "/" + i + ": measurement is not canonical CBOR: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw bad(at + "/" + i + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static void measres(EatClaims.Builder b, Cbor v, String at) throws EvidenceException {
        if (!(v instanceof Cbor.Array groups)) {
            throw bad(at + ": measres must be an array");
        }
        for (Cbor g : groups.items()) {
            if (!(g instanceof Cbor.Array ga) || ga.size() != 2 || !(ga.get(1) instanceof Cbor.Array rs)) {
                throw bad(at + ": a measres group is [system, [results]]");
            }
            List<MeasurementResults.Result> results = new ArrayList<>();
            for (Cbor r : rs.items()) {
                if (!(r instanceof Cbor.Array ra) || ra.size() != 2) {
                    throw bad(at + ": a result is [id, code]");
                }
                long code = uint(ra.get(1), at);
                if (code < 1 || code > 4) {
                    throw bad(at + ": result code " + code + " is not 1..4");
                }
                results.add(new MeasurementResults.Result(text(ra.get(0), at), MeasurementResults.Outcome.values()[(int) code - 1]));
            }
            b.measurementResults(new MeasurementResults(text(ga.get(0), at), results));
        }
    }

    private static Cbor need(Cbor.Map m, long key, String at) throws EvidenceException {
        return m.get(key).orElseThrow(() -> bad(at + ": missing field " + key));
    }

    private static Cbor.Map map(Cbor v, String at) throws EvidenceException {
        if (!(v instanceof Cbor.Map m)) {
            throw bad(at + ": must be a map");
        }
        return m;
    }

    private static String text(Cbor v, String at) throws EvidenceException {
        if (!(v instanceof Cbor.Text t)) {
            throw bad(at + ": must be a text string");
        }
        return t.value();
    }

    private static String version(Cbor v, String at) throws EvidenceException {
        // RFC 9711 §4.2.5/§4.2.7: [version, ? scheme]; the scheme is informative.
        if (!(v instanceof Cbor.Array a) || a.size() < 1 || a.size() > 2) {
            throw bad(at + ": a version is [text, ? scheme]");
        }
        if (a.size() == 2 && !(a.get(1) instanceof Cbor.Int)) {
            throw bad(at + ": a version scheme is an integer");
        }
        return text(a.get(0), at);
    }

    private static byte[] bytes(Cbor v, String at) throws EvidenceException {
        if (!(v instanceof Cbor.Bytes b)) {
            throw bad(at + ": must be a byte string");
        }
        return b.value();
    }

    private static long uint(Cbor v, String at) throws EvidenceException {
        if (!(v instanceof Cbor.Int i) || i.value() < 0) {
            throw bad(at + ": must be an unsigned integer");
        }
        return i.value();
    }

    private static Instant time(Cbor v, String at) throws EvidenceException {
        // NumericDate (RFC 8392 §2); this profile uses whole seconds only, up to year 9999.
        long t = uint(v, at);
        if (t > MAX_NUMERIC_DATE) {
            throw bad(at + ": time beyond the year 9999");
        }
        return Instant.ofEpochSecond(t);
    }

    private static EvidenceException bad(String message) {
        return new EvidenceException(Reason.BAD_CLAIMS, message);
    }
}
