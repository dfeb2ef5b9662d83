package dev.attest.core.internal.cbor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable CBOR data item (RFC 8949 §3). The SDK's modules build and read CBOR through this
 * model: {@link CborEncoder} writes it in deterministic form (§4.2.1), {@link CborDecoder} reads
 * it strictly. Integers are limited to the range of {@code long}; wider integers are rejected
 * by the decoder.
 */
public sealed interface Cbor permits Cbor.Int, Cbor.Bytes, Cbor.Text, Cbor.Array, Cbor.Map,
        Cbor.Tag, Cbor.Simple, Cbor.Float {

    /** A major type 0 or 1 integer. */
    record Int(long value) implements Cbor {
    }

    /** A definite-length byte string. The array is copied in and out. */
    final class Bytes implements Cbor {
        private final byte[] value;

        public Bytes(byte[] value) {
            this.value = value.clone();
        }

        private Bytes(byte[] value, boolean adopt) {
            this.value = value;
        }

        /** Takes {@code value} without a copy: for the decoder, whose array no one else holds. */
        static Bytes adopt(byte[] value) {
            return new Bytes(value, true);
        }

        public byte[] value() {
            return value.clone();
        }

        public int length() {
            return value.length;
        }

        /**
         * The bytes without a copy, for the SDK's decoders on their hot path (a token's payload,
         * its measurements); callers must not modify them.
         */
        public byte[] unsafeValue() {
            return value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "h'" + HexFormat.of().formatHex(value) + "'";
        }
    }

    /** A text string (valid UTF-8). */
    record Text(String value) implements Cbor {
        public Text {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }

    /** An array of items, in order. */
    record Array(List<Cbor> items) implements Cbor {
        public Array {
            items = List.copyOf(items);
        }

        public static Array of(Cbor... items) {
            return new Array(List.of(items));
        }

        public int size() {
            return items.size();
        }

        public Cbor get(int index) {
            return items.get(index);
        }
    }

    /** One key/value pair of a map. */
    record Entry(Cbor key, Cbor value) {
        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * A map, with its entries in the order they were built or decoded. Keys are unique: the
     * decoder rejects duplicates, {@link MapBuilder} refuses them.
     */
    record Map(List<Entry> entries) implements Cbor {
        public Map {
            entries = List.copyOf(entries);
        }

        public int size() {
            return entries.size();
        }

        public Optional<Cbor> get(Cbor key) {
            for (Entry e : entries) {
                if (e.key().equals(key)) {
                    return Optional.of(e.value());
                }
            }
            return Optional.empty();
        }

        public Optional<Cbor> get(long key) {
            return get(new Int(key));
        }

        public Optional<Cbor> get(String key) {
            return get(new Text(key));
        }
    }

    /** A tagged item (major type 6). Tag numbers are unsigned, within {@code long}. */
    record Tag(long tag, Cbor content) implements Cbor {
        public Tag {
            Objects.requireNonNull(content, "content");
        }
    }

    /** The simple values false, true, null and undefined (major type 7). */
    enum Simple implements Cbor {
        FALSE, TRUE, NULL, UNDEFINED;

        public static Simple of(boolean b) {
            return b ? TRUE : FALSE;
        }
    }

    /** A floating-point number; encoded in the shortest form that keeps its value (§4.2.2). */
    record Float(double value) implements Cbor {
        @Override
        public boolean equals(Object o) {
            return o instanceof Float f
                    && Double.doubleToLongBits(value) == Double.doubleToLongBits(f.value);
        }

        @Override
        public int hashCode() {
            return Double.hashCode(value);
        }
    }

    static Int of(long v) {
        return new Int(v);
    }

    static Text of(String s) {
        return new Text(s);
    }

    static Bytes of(byte[] b) {
        return new Bytes(b);
    }

    static Bytes utf8(String s) {
        return new Bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    static MapBuilder map() {
        return new MapBuilder();
    }

    /** Builds a {@link Map}, refusing duplicate keys. */
    final class MapBuilder {
        private final List<Entry> entries = new ArrayList<>();

        public MapBuilder put(Cbor key, Cbor value) {
            for (Entry e : entries) {
                if (e.key().equals(key)) {
                    throw new IllegalArgumentException("duplicate map key " + key);
                }
            }
            entries.add(new Entry(key, value));
            return this;
        }

        public MapBuilder put(long key, Cbor value) {
            return put(new Int(key), value);
        }

        public MapBuilder put(String key, Cbor value) {
            return put(new Text(key), value);
        }

        public Map build() {
            return new Map(Collections.unmodifiableList(entries));
        }
    }
}
