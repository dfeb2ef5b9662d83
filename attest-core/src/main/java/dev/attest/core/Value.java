package dev.attest.core;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A typed value a runtime collector reports besides digests: a count, a statistic, a flag, a
 * text, raw bytes, or a list or map of these (for example one entry per memory mapping).
 * Immutable. Nesting is limited to {@value #MAX_DEPTH} levels so that every value has a bounded
 * canonical encoding; map keys are 1 to 256 characters.
 */
public sealed interface Value permits Value.Int, Value.Real, Value.Bool, Value.Text, Value.Bytes,
        Value.ListValue, Value.MapValue {

    /** Deepest nesting of lists and maps. */
    int MAX_DEPTH = 8;

    /** A signed 64-bit integer, e.g. a count. */
    record Int(long value) implements Value {
    }

    /** A finite double, e.g. a statistic. NaN and infinities are rejected. */
    record Real(double value) implements Value {
        /**
         * Rejects NaN and infinities.
         *
         * @param value the number; must be finite
         */
        public Real {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("value must be finite");
            }
        }
    }

    /** A boolean flag. */
    record Bool(boolean value) implements Value {
    }

    /** A text. */
    record Text(String value) implements Value {
        /**
         * Rejects a null text.
         *
         * @param value the text
         */
        public Text {
            Objects.requireNonNull(value, "value");
        }
    }

    /** Raw bytes, copied in and out. */
    final class Bytes implements Value {
        private final byte[] value;

        /**
         * Raw bytes (copied).
         *
         * @param value the bytes; copied
         */
        public Bytes(byte[] value) {
            this.value = value.clone();
        }

        /**
         * A copy of the bytes.
         *
         * @return a fresh copy of the bytes
         */
        public byte[] value() {
            return value.clone();
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

    /** An ordered list of values. */
    record ListValue(List<Value> values) implements Value {
        /**
         * Copies the list and checks its nesting depth (at most {@link #MAX_DEPTH}).
         *
         * @param values the elements
         */
        public ListValue {
            values = List.copyOf(values);
            checkChildren(values, 1);
        }
    }

    /** Values by name, ordered by name. */
    record MapValue(SortedMap<String, Value> values) implements Value {
        /**
         * Copies the map and checks each key, each value and the nesting depth (at most {@link #MAX_DEPTH}).
         *
         * @param values the values by name
         */
        public MapValue {
            SortedMap<String, Value> copy = new TreeMap<>();
            for (Map.Entry<String, Value> e : values.entrySet()) {
                copy.put(checkKey(e.getKey()), Objects.requireNonNull(e.getValue(), "value"));
            }
            values = java.util.Collections.unmodifiableSortedMap(copy);
            checkChildren(values.values(), 1);
        }

        /**
         * A map value from an ordinary map.
         *
         * @param values the values by name
         * @return a map value holding a sorted copy of {@code values}
         */
        public static MapValue of(Map<String, ? extends Value> values) {
            return new MapValue(new TreeMap<>(values));
        }
    }

    /**
     * An integer value.
     *
     * @param v the integer
     * @return an {@link Int}
     */
    static Value of(long v) {
        return new Int(v);
    }

    /**
     * A real value.
     *
     * @param v the number; must be finite
     * @return a {@link Real}
     */
    static Value of(double v) {
        return new Real(v);
    }

    /**
     * A boolean value.
     *
     * @param v the boolean
     * @return a {@link Bool}
     */
    static Value of(boolean v) {
        return new Bool(v);
    }

    /**
     * A text value.
     *
     * @param v the text
     * @return a {@link Text}
     */
    static Value of(String v) {
        return new Text(v);
    }

    /**
     * Checks a map key: 1 to 256 characters, no control characters.
     *
     * @param key the key
     * @return {@code key}, unchanged
     */
    static String checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > 256) {
            throw new IllegalArgumentException("value name must be 1..256 characters");
        }
        // Unencodable in UTF-8 means an unpaired surrogate.
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean bad = Character.isISOControl(c);
            if (Character.isHighSurrogate(c)) {
                bad = i + 1 == key.length() || !Character.isLowSurrogate(key.charAt(++i));
            } else if (Character.isLowSurrogate(c)) {
                bad = true;
            }
            if (bad) {
                throw new IllegalArgumentException("value name contains control or unencodable characters");
            }
        }
        return key;
    }

    private static void checkChildren(java.util.Collection<Value> children, int depth) {
        for (Value c : children) {
            checkDepth(c, depth);
        }
    }

    private static void checkDepth(Value v, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("values nest deeper than " + MAX_DEPTH);
        }
        if (v instanceof ListValue l) {
            checkChildren(l.values(), depth + 1);
        } else if (v instanceof MapValue m) {
            checkChildren(m.values().values(), depth + 1);
        }
    }
}
