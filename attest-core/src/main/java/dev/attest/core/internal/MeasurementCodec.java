package dev.attest.core.internal;

import dev.attest.core.ComponentId;
import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import dev.attest.core.internal.cbor.Cbor;
import dev.attest.core.internal.cbor.CborEncoder;
import dev.attest.core.internal.cbor.CborException;
import dev.attest.core.internal.cbor.CborReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The canonical CBOR form of a {@link Measurement}: a map with small integer keys, written
 * deterministically (RFC 8949 §4.2.1), so the same measurement always hashes to the same bytes.
 * This form is what the measurement log chains; it is documented in docs/measurement-log.md.
 */
public final class MeasurementCodec {
    static final int K_NAME = 1;
    static final int K_VERSION = 2;
    static final int K_LAYER = 3;
    static final int K_DIGESTS = 4;
    static final int K_VALUES = 5;
    static final int K_COLLECTOR = 6;
    static final int K_TIME = 7;
    static final int K_STATUS = 8;
    static final int K_MESSAGE = 9;

    private MeasurementCodec() {
    }

    /** The canonical bytes of {@code m}. */
    public static byte[] canonical(Measurement m) {
        return CborEncoder.encode(toCbor(m));
    }

    public static Cbor.Map toCbor(Measurement m) {
        Cbor.MapBuilder b = Cbor.map()
                .put(K_NAME, Cbor.of(m.component().name()));
        m.component().version().ifPresent(v -> b.put(K_VERSION, Cbor.of(v)));
        b.put(K_LAYER, Cbor.of(m.layer().name()));
        if (!m.digests().isEmpty()) {
            List<Cbor> ds = new ArrayList<>();
            for (Digest d : m.digests()) {
                ds.add(Cbor.Array.of(Cbor.of(d.algorithm().namedInformationId()), Cbor.of(d.value())));
            }
            b.put(K_DIGESTS, new Cbor.Array(ds));
        }
        if (!m.values().isEmpty()) {
            b.put(K_VALUES, valuesToCbor(m.values()));
        }
        b.put(K_COLLECTOR, Cbor.of(m.collectorId()));
        b.put(K_TIME, Cbor.of(m.time().toEpochMilli()));
        b.put(K_STATUS, Cbor.of(m.status().ordinal()));
        m.message().ifPresent(msg -> b.put(K_MESSAGE, Cbor.of(msg)));
        return b.build();
    }

    private static Cbor.Map valuesToCbor(java.util.Map<String, Value> values) {
        Cbor.MapBuilder b = Cbor.map();
        values.forEach((k, v) -> b.put(k, valueToCbor(v)));
        return b.build();
    }

    /** A {@link Value} as CBOR: integers, floats, booleans, text, bytes, arrays, text-keyed maps. */
    public static Cbor valueToCbor(Value v) {
        if (v instanceof Value.Int i) {
            return Cbor.of(i.value());
        } else if (v instanceof Value.Real r) {
            return new Cbor.Float(r.value());
        } else if (v instanceof Value.Bool b) {
            return Cbor.Simple.of(b.value());
        } else if (v instanceof Value.Text t) {
            return Cbor.of(t.value());
        } else if (v instanceof Value.Bytes b) {
            return Cbor.of(b.value());
        } else if (v instanceof Value.ListValue l) {
            List<Cbor> items = new ArrayList<>();
            l.values().forEach(x -> items.add(valueToCbor(x)));
            return new Cbor.Array(items);
        } else if (v instanceof Value.MapValue m) {
            return valuesToCbor(m.values());
        }
        throw new IllegalArgumentException("unknown value " + v);
    }

    /**
     * The {@link Value} a CBOR item stands for.
     *
     * @throws IllegalArgumentException if the item is not one a value can be
     */
    public static Value valueFromCbor(Cbor c) {
        if (c instanceof Cbor.Int i) {
            return new Value.Int(i.value());
        } else if (c instanceof Cbor.Float f) {
            return new Value.Real(f.value());
        } else if (c == Cbor.Simple.TRUE || c == Cbor.Simple.FALSE) {
            return new Value.Bool(c == Cbor.Simple.TRUE);
        } else if (c instanceof Cbor.Text t) {
            return new Value.Text(t.value());
        } else if (c instanceof Cbor.Bytes b) {
            return new Value.Bytes(b.value());
        } else if (c instanceof Cbor.Array a) {
            List<Value> vs = new ArrayList<>();
            a.items().forEach(x -> vs.add(valueFromCbor(x)));
            return new Value.ListValue(vs);
        } else if (c instanceof Cbor.Map m) {
            TreeMap<String, Value> vs = new TreeMap<>();
            for (Cbor.Entry e : m.entries()) {
                vs.put(text(e.key(), "value name"), valueFromCbor(e.value()));
            }
            return new Value.MapValue(vs);
        }
        throw new IllegalArgumentException("not a measurement value: " + c);
    }

    /**
     * Rebuilds a measurement from its canonical map.
     *
     * @throws IllegalArgumentException if a field is missing, of the wrong type, or unknown
     */
    public static Measurement fromCbor(Cbor c) {
        if (!(c instanceof Cbor.Map m)) {
            throw new IllegalArgumentException("measurement must be a map");
        }
        for (Cbor.Entry e : m.entries()) {
            if (!(e.key() instanceof Cbor.Int k) || k.value() < K_NAME || k.value() > K_MESSAGE) {
                throw new IllegalArgumentException("unknown measurement field " + e.key());
            }
        }
        String name = text(require(m, K_NAME), "name");
        ComponentId component = m.get(K_VERSION).isPresent()
                ? ComponentId.of(name, text(m.get(K_VERSION).get(), "version"))
                : ComponentId.of(name);
        Measurement.Builder b = Measurement.builder(component, Layer.of(text(require(m, K_LAYER), "layer")));
        if (m.get(K_DIGESTS).isPresent()) {
            if (!(m.get(K_DIGESTS).get() instanceof Cbor.Array ds)) {
                throw new IllegalArgumentException("digests must be an array");
            }
            for (Cbor d : ds.items()) {
                if (!(d instanceof Cbor.Array pair) || pair.size() != 2
                        || !(pair.get(0) instanceof Cbor.Int alg) || !(pair.get(1) instanceof Cbor.Bytes val)) {
                    throw new IllegalArgumentException("digest must be [alg, bytes]");
                }
                DigestAlgorithm a = DigestAlgorithm.byNamedInformationId(alg.value())
                        .orElseThrow(() -> new IllegalArgumentException("digest algorithm not allowed: " + alg.value()));
                b.digest(new Digest(a, val.value()));
            }
        }
        if (m.get(K_VALUES).isPresent()) {
            Value v = valueFromCbor(m.get(K_VALUES).get());
            if (!(v instanceof Value.MapValue mv)) {
                throw new IllegalArgumentException("values must be a map");
            }
            b.values(mv.values());
        }
        b.collector(text(require(m, K_COLLECTOR), "collector"));
        if (!(require(m, K_TIME) instanceof Cbor.Int t)) {
            throw new IllegalArgumentException("time must be an integer");
        }
        b.time(Instant.ofEpochMilli(t.value()));
        if (!(require(m, K_STATUS) instanceof Cbor.Int s) || s.value() < 0
                || s.value() >= Measurement.Status.values().length) {
            throw new IllegalArgumentException("bad status");
        }
        Measurement.Status status = Measurement.Status.values()[(int) s.value()];
        String message = m.get(K_MESSAGE).isPresent() ? text(m.get(K_MESSAGE).get(), "message") : null;
        if (status == Measurement.Status.OK) {
            if (message != null) {
                b.message(message);
            }
        } else {
            b.status(status, message);
        }
        return b.build();
    }

    private static final Measurement.Status[] STATUSES = Measurement.Status.values();

    /** Most heads (items) one canonical measurement may hold. */
    public static final int MAX_ITEMS = 1 << 16;

    /**
     * Decodes the canonical encoding of a measurement straight from its bytes, without a CBOR
     * tree, and accepts exactly the bytes {@link #canonical} produces for the result: every head
     * in shortest form, fields 1-9 in order with the optional ones absent rather than empty, value
     * names in the bytewise order of their encodings, floats in shortest form, no trailing bytes.
     * The measurement takes {@code in} as its canonical encoding (it must not be modified
     * afterwards), so it is never encoded again.
     *
     * @throws CborException if the bytes are not well-formed deterministic CBOR, or hold more
     *     than {@link #MAX_ITEMS} items or nest values deeper than {@link Value#MAX_DEPTH}
     * @throws IllegalArgumentException if they are CBOR but not a valid measurement, or not the
     *     canonical form of one
     */
    public static Measurement decodeCanonical(byte[] in) throws CborException {
        return decode(in, null);
    }

    /**
     * Decodes canonical measurements one after another, as {@link #decodeCanonical} does, for a
     * caller with many of them (the ~50 of one evidence): the layer, collector id and version of
     * nearly every measurement repeat those of the one before, so when their encoded bytes are
     * equal to the last ones seen, the strings (and the {@link Layer}) decoded then are reused
     * without decoding or looking them up again. They are still checked by the measurement as
     * any other. As with {@link #decodeCanonical}, an array decoded into a measurement is its
     * canonical encoding and must not be modified afterwards (the decoder also compares the next
     * inputs with it); a refused array may be reused. Not thread-safe: one per thread, e.g. one
     * per evidence.
     */
    public static final class Decoder {
        private final Repeated layer = new Repeated();
        private final Repeated collector = new Repeated();
        private final Repeated version = new Repeated();
        /** {@code Layer.of(layerOf)}, for the string instance {@code layerOf}. */
        private String layerOf;
        private Layer lastLayer;
        private final Cache cache;
        /** Where the time item of the last input decoded in full starts and ends. */
        private int timeFrom;
        private int timeTo;

        /** A decoder of its own. */
        public Decoder() {
            this(null);
        }

        /** A decoder that first looks each input up in {@code cache} (null for none) and adds to it. */
        public Decoder(Cache cache) {
            this.cache = cache;
        }

        /** The same as {@link #decodeCanonical} (same result, same refusals). */
        public Measurement decode(byte[] in) throws CborException {
            if (cache != null) {
                Measurement known = cache.lookUp(in);
                if (known != null) {
                    return known;
                }
            }
            layer.pending = null;
            collector.pending = null;
            version.pending = null;
            Measurement m = MeasurementCodec.decode(in, this);
            layer.commit(in);
            collector.commit(in);
            version.commit(in);
            if (cache != null) {
                cache.remember(in, timeFrom, timeTo, m);
            }
            return m;
        }

        private Layer layer(String name) {
            if (name != layerOf) {
                Layer l = Layer.of(name);
                lastLayer = l;
                layerOf = name;
            }
            return lastLayer;
        }
    }

    /**
     * Measurements decoded before, to decode again without reading their fields: a device
     * reports the same components every period, and their canonical encodings then differ only
     * in the time. An input is taken for a remembered measurement only when every byte but the
     * time's argument is equal to that measurement's encoding and the time item, read again, is
     * a canonical integer of the same head; the result is the remembered measurement's
     * (immutable) fields with the input's time and the input as its canonical encoding, exactly
     * what decoding the input gives. Bounded, two-way set-associative: a new entry displaces the
     * older of its pair, so a sender of many distinct measurements only slows decoding down.
     * Thread-safe: entries are immutable and published through their final fields.
     */
    public static final class Cache {
        /** The bytes at the end of the usual encoding: time key, 9-byte time, status key and status. */
        private static final int TAIL = 12;
        /** How many bytes before the tail the slot is computed from. */
        private static final int HASHED = 48;

        private final Entry[] table;

        /** A cache of {@code entries} measurements, 1 to 2^20, rounded up to a power of two (at least 2). */
        public Cache(int entries) {
            if (entries < 1 || entries > 1 << 20) {
                throw new IllegalArgumentException("entries must be 1..2^20");
            }
            int size = 2;
            while (size < entries) {
                size <<= 1;
            }
            table = new Entry[size];
        }

        /** How many measurements it can hold. */
        public int capacity() {
            return table.length;
        }

        private record Entry(byte[] encoding, int timeFrom, int timeTo, Measurement measurement) {
        }

        /** The measurement {@code in} decodes to if it is a remembered one at another time, else null. */
        Measurement lookUp(byte[] in) throws CborException {
            int n = in.length;
            if (n <= TAIL) {
                return null;
            }
            int slot = slot(in);
            Entry e = table[slot];
            if (!matches(e, in)) {
                e = table[slot ^ 1];
                if (!matches(e, in)) {
                    return null;
                }
            }
            // Same head: same major type and width; the argument must still be in shortest form.
            long time = time(in, e.timeFrom, e.timeTo);
            return MeasurementAccess.hook().retimed(e.measurement, time, in);
        }

        /**
         * The time item in {@code in[from, to)}, whose head is a remembered one's. The usual one,
         * a positive integer with an 8-byte argument of 2^32 or more (any time after 1970-02-19 in
         * milliseconds), is read in place; any other goes through {@link CborReader#integer},
         * which gives the full decoder's answer or refusal.
         */
        private static long time(byte[] in, int from, int to) throws CborException {
            if (to - from == 9 && (in[from] & 0xff) == 0x1b) {
                long v = Long.reverseBytes(Bytes.longAt(in, from + 1));
                if (v > 0xffffffffL) {
                    return v;
                }
            }
            CborReader r = new CborReader(in, from, to, 1);
            long time = r.integer();
            r.expectEnd();
            return time;
        }

        /**
         * Whether {@code in} is {@code e}'s encoding but for the time's argument: the bytes up to
         * and with the time's head, and those after the time item (the status, a few bytes).
         */
        private static boolean matches(Entry e, byte[] in) {
            int n = in.length;
            if (e == null || e.encoding.length != n
                    || !java.util.Arrays.equals(in, 0, e.timeFrom + 1, e.encoding, 0, e.timeFrom + 1)) {
                return false;
            }
            byte[] known = e.encoding;
            for (int i = e.timeTo; i < n; i++) {
                if (in[i] != known[i]) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Remembers {@code m}, decoded in full from {@code in} (which it owns and is never
         * modified), whose time item spans {@code [timeFrom, timeTo)}; only an encoding whose
         * slot does not depend on the time (the usual tail) is remembered.
         */
        void remember(byte[] in, int timeFrom, int timeTo, Measurement m) {
            int n = in.length;
            if (n > TAIL && timeFrom >= n - TAIL) {
                // Two ways: the newer entry in the slot, the one it displaces in its pair.
                int slot = slot(in);
                Entry displaced = table[slot];
                if (displaced != null) {
                    table[slot ^ 1] = displaced;
                }
                table[slot] = new Entry(in, timeFrom, timeTo, m);
            }
        }

        /**
         * The slot of {@code in}, from its length and the {@link #HASHED} bytes before its last
         * {@link #TAIL}: those end with the digests (nearly unique per component) and the
         * collector id. Names often share long prefixes, so the start is not used.
         */
        private int slot(byte[] in) {
            int end = in.length - TAIL;
            long h = end;
            int i = Math.max(0, end - HASHED);
            for (; i + 8 <= end; i += 8) {
                h = (h ^ Bytes.longAt(in, i)) * 0x9E3779B97F4A7C15L;
            }
            for (; i < end; i++) {
                h = (h ^ in[i]) * 0x9E3779B97F4A7C15L;
            }
            // MurmurHash3's finalizer: the slot's low bits then depend on every input bit.
            h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
            h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
            return (int) (h ^ (h >>> 33)) & (table.length - 1);
        }
    }

    /**
     * The last text item read from one field of a measurement that was decoded: where it is
     * encoded (head included) and its string. The bytes stay where they were read, in that
     * measurement's canonical encoding, which is never modified, so nothing is copied. An item
     * read from an input that is then refused is not remembered: the caller may reuse that array.
     */
    private static final class Repeated {
        private byte[] in;
        private int from;
        private int to;
        private String text;
        /** What was read from the current input, kept if it is decoded: {@code text} if null. */
        private String pending;
        private int pendingFrom;
        private int pendingTo;

        /**
         * Whether the last {@link #read} returned the text of a measurement decoded before, which
         * passed that measurement's checks.
         */
        private boolean known;
        /** Whether the last {@link #read} returned printable ASCII (or known text). */
        private boolean controlFree;

        String read(CborReader r) throws CborException {
            if (in != null && r.skipIfNext(in, from, to)) {
                known = true;
                controlFree = true;
                return text;
            }
            known = false;
            int start = r.position();
            String s = r.printableAscii();
            controlFree = s != null;
            if (s == null) {
                s = r.text();
            }
            pending = s;
            pendingFrom = start;
            pendingTo = r.position();
            return s;
        }

        void commit(byte[] input) {
            if (pending != null) {
                in = input;
                from = pendingFrom;
                to = pendingTo;
                text = pending;
                pending = null;
            }
        }
    }

    private static Measurement decode(byte[] in, Decoder decoder) throws CborException {
        CborReader r = new CborReader(in, 0, in.length, MAX_ITEMS);
        int n = r.mapHeader();
        int last = 0;
        String name = null;
        boolean nameControlFree = false;
        String version = null;
        boolean versionControlFree = false;
        String layer = null;
        List<Digest> digests = List.of();
        java.util.SortedMap<String, Value> values = null;
        String collector = null;
        long time = 0;
        boolean timed = false;
        Measurement.Status status = null;
        String message = null;
        for (int i = 0; i < n; i++) {
            int at = r.position();
            long key = r.integer();
            if (key <= last || key > K_MESSAGE) {
                throw new IllegalArgumentException(key < K_NAME || key > K_MESSAGE
                        ? "unknown measurement field " + key : "measurement fields out of order at byte " + at);
            }
            last = (int) key;
            switch (last) {
                case K_NAME -> {
                    name = r.printableAscii();
                    nameControlFree = name != null;
                    if (name == null) {
                        name = r.text();
                    }
                }
                case K_VERSION -> {
                    version = decoder == null ? r.text() : decoder.version.read(r);
                    versionControlFree = decoder != null && decoder.version.controlFree;
                }
                case K_LAYER -> layer = decoder == null ? r.text() : decoder.layer.read(r);
                case K_DIGESTS -> digests = digests(r);
                case K_VALUES -> {
                    values = map(r, 1);
                    if (values.isEmpty()) {
                        throw new IllegalArgumentException("empty values are left out of the canonical form");
                    }
                }
                case K_COLLECTOR -> collector = decoder == null ? r.text() : decoder.collector.read(r);
                case K_TIME -> {
                    int timeFrom = r.position();
                    time = r.integer();
                    timed = true;
                    if (decoder != null) {
                        decoder.timeFrom = timeFrom;
                        decoder.timeTo = r.position();
                    }
                }
                case K_STATUS -> {
                    long st = r.integer();
                    if (st < 0 || st >= STATUSES.length) {
                        throw new IllegalArgumentException("bad status");
                    }
                    status = STATUSES[(int) st];
                }
                case K_MESSAGE -> message = r.text();
                default -> throw new AssertionError(last);
            }
        }
        r.expectEnd();
        if (name == null || layer == null || collector == null || !timed || status == null) {
            throw new IllegalArgumentException("missing measurement field "
                    + (name == null ? K_NAME : layer == null ? K_LAYER : collector == null ? K_COLLECTOR
                    : !timed ? K_TIME : K_STATUS));
        }
        MeasurementAccess.Hook hook = MeasurementAccess.hook();
        // Text read as printable ASCII, or taken from a measurement decoded before, is not
        // scanned for control characters again.
        ComponentId component = nameControlFree && (version == null || versionControlFree)
                ? hook.controlFreeComponent(name, version)
                : version == null ? ComponentId.of(name) : ComponentId.of(name, version);
        return hook.build(component, decoder == null ? Layer.of(layer) : decoder.layer(layer), digests, values,
                collector, decoder != null && decoder.collector.known, time, status, message, in);
    }

    private static List<Digest> digests(CborReader r) throws CborException {
        int n = r.arrayHeader();
        if (n == 0) {
            throw new IllegalArgumentException("empty digests are left out of the canonical form");
        }
        MeasurementAccess.Hook hook = MeasurementAccess.hook();
        Digest[] out = new Digest[n];
        for (int i = 0; i < n; i++) {
            if (r.arrayHeader() != 2) {
                throw new IllegalArgumentException("digest must be [alg, bytes]");
            }
            long alg = r.integer();
            java.util.Optional<DigestAlgorithm> a = DigestAlgorithm.byNamedInformationId(alg);
            if (a.isEmpty()) {
                throw new IllegalArgumentException("digest algorithm not allowed: " + alg);
            }
            // bytes() is a fresh array: the digest takes it.
            out[i] = hook.digest(a.get(), r.bytes());
        }
        return n == 1 ? List.of(out[0]) : List.of(out);
    }

    private static java.util.SortedMap<String, Value> map(CborReader r, int depth) throws CborException {
        int n = r.mapHeader();
        TreeMap<String, Value> out = new TreeMap<>();
        int prevFrom = -1;
        int prevTo = -1;
        for (int i = 0; i < n; i++) {
            int from = r.position();
            String key = r.text();
            int to = r.position();
            if (prevFrom >= 0 && r.compareEncoded(prevFrom, prevTo, from, to) >= 0) {
                throw new IllegalArgumentException("value names not in canonical order at byte " + from);
            }
            prevFrom = from;
            prevTo = to;
            out.put(key, value(r, depth));
        }
        return out;
    }

    private static Value value(CborReader r, int depth) throws CborException {
        if (depth > Value.MAX_DEPTH) {
            throw new IllegalArgumentException("values nest deeper than " + Value.MAX_DEPTH);
        }
        int ib = r.peekInitialByte();
        switch (ib >>> 5) {
            case 0, 1:
                return new Value.Int(r.integer());
            case 2:
                return new Value.Bytes(r.bytes());
            case 3:
                return new Value.Text(r.text());
            case 4: {
                int n = r.arrayHeader();
                List<Value> items = new ArrayList<>(Math.min(n, 16));
                for (int i = 0; i < n; i++) {
                    items.add(value(r, depth + 1));
                }
                return new Value.ListValue(items);
            }
            case 5:
                return new Value.MapValue(map(r, depth + 1));
            case 7:
                if (ib == 0xf4 || ib == 0xf5) {
                    return new Value.Bool(r.bool());
                }
                return new Value.Real(r.floatingPoint());
            default:
                throw new IllegalArgumentException("not a measurement value: major type " + (ib >>> 5));
        }
    }

    private static Cbor require(Cbor.Map m, int key) {
        return m.get(key).orElseThrow(() -> new IllegalArgumentException("missing measurement field " + key));
    }

    private static String text(Cbor c, String what) {
        if (!(c instanceof Cbor.Text t)) {
            throw new IllegalArgumentException(what + " must be text");
        }
        return t.value();
    }
}
