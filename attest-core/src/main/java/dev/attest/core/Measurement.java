package dev.attest.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One measurement of one component at one time: its digests and/or typed values, the layer it
 * belongs to, the collector that took it, and whether it succeeded.
 *
 * <p>Guarantees: an {@link Status#OK} measurement has at least one digest or value, and at most
 * one digest per algorithm; an {@link Status#UNSUPPORTED} or {@link Status#ERROR} measurement has
 * a message saying why, so nothing a collector could not measure is silently dropped. Immutable.
 * Times are truncated to milliseconds, the precision of the canonical encoding.
 */
public final class Measurement {
    /** Outcome of a measurement. */
    public enum Status {
        /** The component was measured. */
        OK,
        /** The collector cannot measure here (source absent, permission missing): see the message. */
        UNSUPPORTED,
        /** The collector failed, threw, or timed out: see the message. */
        ERROR
    }

    /** Longest accepted message. */
    public static final int MAX_MESSAGE_LENGTH = 4096;

    static {
        dev.attest.core.internal.MeasurementAccess.register(new dev.attest.core.internal.MeasurementAccess.Hook() {
            @Override
            public Measurement build(ComponentId component, Layer layer, List<Digest> digests,
                    SortedMap<String, Value> values, String collectorId, boolean collectorIdChecked, long timeMillis,
                    Status status, String message, byte[] canonical) {
                return new Measurement(component, layer, digests,
                        values == null ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(values),
                        collectorId, collectorIdChecked, Instant.ofEpochMilli(timeMillis), status, message,
                        canonical);
            }

            @Override
            public Measurement retimed(Measurement m, long timeMillis, byte[] canonical) {
                return new Measurement(m, Instant.ofEpochMilli(timeMillis), Objects.requireNonNull(canonical));
            }

            @Override
            public ComponentId controlFreeComponent(String name, String version) {
                return ComponentId.ofControlFree(name, version);
            }

            @Override
            public Digest digest(DigestAlgorithm algorithm, byte[] value) {
                return Digest.adopt(algorithm, value);
            }
        });
    }

    private final ComponentId component;
    private final Layer layer;
    private final List<Digest> digests;
    private final SortedMap<String, Value> values;
    private final String collectorId;
    private final Instant time;
    private final Status status;
    private final String message;
    /**
     * The canonical encoding when known at construction (a decoded measurement's input): final,
     * so it is published with the measurement without the fence a volatile write costs.
     */
    private final byte[] canonical;
    /** Otherwise the canonical encoding, computed once when first asked for (the measurement is immutable). */
    private volatile byte[] encoded;

    /** The builder's path: its collections are copied, it may be used again. */
    private Measurement(Builder b) {
        this(b.component, b.layer, List.copyOf(b.digests),
                Collections.unmodifiableSortedMap(new TreeMap<>(b.values)), b.collectorId, false, b.time, b.status,
                b.message, null);
    }

    /** {@code m} at {@code time} (whole milliseconds), with {@code canonical} as its encoding: nothing to check again. */
    private Measurement(Measurement m, Instant time, byte[] canonical) {
        this.component = m.component;
        this.layer = m.layer;
        this.digests = m.digests;
        this.values = m.values;
        this.collectorId = m.collectorId;
        this.time = time;
        this.status = m.status;
        this.message = m.message;
        this.canonical = canonical;
    }

    /**
     * The one path every measurement is made by (but a re-timed copy of one), checking all its guarantees.
     *
     * @param digests unmodifiable, owned by the measurement from now on
     * @param values unmodifiable, owned by the measurement from now on
     * @param collectorIdChecked whether {@code collectorId} is known valid (a measurement was made with it)
     * @param canonical the canonical encoding if already known (owned from now on), else null
     */
    private Measurement(ComponentId component, Layer layer, List<Digest> digests, SortedMap<String, Value> values,
            String collectorId, boolean collectorIdChecked, Instant time, Status status, String message,
            byte[] canonical) {
        this.component = Objects.requireNonNull(component, "component");
        this.layer = Objects.requireNonNull(layer, "layer");
        // Before the collector id, as the builder checks names when they are set.
        values.forEach((k, v) -> {
            Value.checkKey(k);
            Objects.requireNonNull(v, "value");
        });
        this.collectorId = collectorIdChecked ? Objects.requireNonNull(collectorId, "collector id")
                : Collector.checkId(collectorId);
        Instant t = Objects.requireNonNull(time, "time");
        this.time = t.getNano() % 1_000_000 == 0 ? t : t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        this.status = Objects.requireNonNull(status, "status");
        this.digests = digests;
        this.values = values;
        this.message = message;
        for (int i = 1; i < digests.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (digests.get(i).algorithm() == digests.get(j).algorithm()) {
                    throw new IllegalArgumentException("at most one digest per algorithm");
                }
            }
        }
        if (status == Status.OK && digests.isEmpty() && values.isEmpty()) {
            throw new IllegalArgumentException("an OK measurement needs a digest or a value");
        }
        if (status != Status.OK && (message == null || message.isBlank())) {
            throw new IllegalArgumentException(status + " measurement needs a message");
        }
        if (message != null && message.length() > MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("message longer than " + MAX_MESSAGE_LENGTH);
        }
        this.canonical = canonical;
    }

    /**
     * Starts an OK measurement of {@code component} in {@code layer}.
     *
     * @param component the component to measure
     * @param layer the layer it belongs to
     * @return a builder whose status is {@link Status#OK}
     */
    public static Builder builder(ComponentId component, Layer layer) {
        return new Builder(component, layer);
    }

    /**
     * A measurement saying the collector cannot measure {@code component} here, and why.
     *
     * @param collectorId the id of the collector ({@link Collector#ID} syntax)
     * @param component the component that cannot be measured
     * @param layer the layer it belongs to
     * @param time when the attempt was made
     * @param reason why it cannot be measured
     * @return a measurement with status {@link Status#UNSUPPORTED} and no digests
     */
    public static Measurement unsupported(String collectorId, ComponentId component, Layer layer,
            Instant time, String reason) {
        return builder(component, layer).collector(collectorId).time(time)
                .status(Status.UNSUPPORTED, reason).build();
    }

    /**
     * A measurement saying the collector failed on {@code component}, and how.
     *
     * @param collectorId the id of the collector ({@link Collector#ID} syntax)
     * @param component the component whose measurement failed
     * @param layer the layer it belongs to
     * @param time when the attempt was made
     * @param reason how it failed
     * @return a measurement with status {@link Status#ERROR} and no digests
     */
    public static Measurement error(String collectorId, ComponentId component, Layer layer,
            Instant time, String reason) {
        return builder(component, layer).collector(collectorId).time(time)
                .status(Status.ERROR, reason).build();
    }

    /**
     * The component measured (name and optional version).
     *
     * @return the component
     */
    public ComponentId component() {
        return component;
    }

    /**
     * The layer of the device stack this measurement belongs to (its EAT submodule).
     *
     * @return the layer
     */
    public Layer layer() {
        return layer;
    }

    /**
     * The digests, at most one per algorithm, in the order the collector gave them.
     *
     * @return the digests; empty if none, never null
     */
    public List<Digest> digests() {
        return digests;
    }

    /**
     * The digest for {@code algorithm}, if this measurement has one.
     *
     * @param algorithm the digest algorithm
     * @return the digest, or empty if this measurement has none for {@code algorithm}
     */
    public Optional<Digest> digest(DigestAlgorithm algorithm) {
        return digests.stream().filter(d -> d.algorithm() == algorithm).findFirst();
    }

    /**
     * Typed values by name, sorted by name.
     *
     * @return the values, unmodifiable; empty if none
     */
    public SortedMap<String, Value> values() {
        return values;
    }

    /**
     * The value named {@code name}, if this measurement has one.
     *
     * @param name the value's name
     * @return the value, or empty if this measurement has none named {@code name}
     */
    public Optional<Value> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /**
     * The id of the collector that took this measurement ({@link Collector#id()}).
     *
     * @return the collector id
     */
    public String collectorId() {
        return collectorId;
    }

    /**
     * When the measurement was taken, to the millisecond.
     *
     * @return the measurement time, truncated to milliseconds
     */
    public Instant time() {
        return time;
    }

    /**
     * Whether the component was measured, and if not, in which way it failed.
     *
     * @return the status
     */
    public Status status() {
        return status;
    }

    /**
     * Why the status is not OK; may also carry a note on an OK measurement.
     *
     * @return the message, or empty if there is none
     */
    public Optional<String> message() {
        return Optional.ofNullable(message);
    }

    /**
     * The canonical CBOR encoding of this measurement (RFC 8949 §4.2.1, docs/measurement-log.md):
     * exactly the bytes the measurement log hashes and evidence carries. Computed once; a copy
     * is returned.
     *
     * @return a fresh copy of the canonical encoding
     */
    public byte[] canonicalEncoding() {
        return canonicalBytes().clone();
    }

    /** The canonical encoding without a copy, for the log's replay in this package; never modified. */
    byte[] canonicalBytes() {
        byte[] c = canonical != null ? canonical : encoded;
        if (c == null) {
            c = dev.attest.core.internal.MeasurementCodec.canonical(this);
            encoded = c;
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Measurement m && component.equals(m.component) && layer.equals(m.layer)
                && digests.equals(m.digests) && values.equals(m.values)
                && collectorId.equals(m.collectorId) && time.equals(m.time) && status == m.status
                && Objects.equals(message, m.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(component, layer, digests, values, collectorId, time, status, message);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(layer).append('/').append(component).append(' ').append(status);
        for (Digest d : digests) {
            sb.append(' ').append(d);
        }
        if (!values.isEmpty()) {
            sb.append(' ').append(values.keySet());
        }
        if (message != null) {
            sb.append(" (").append(message).append(')');
        }
        return sb.toString();
    }

    /** Builds a {@link Measurement}; the checks run in {@link #build()}. */
    public static final class Builder {
        private final ComponentId component;
        private final Layer layer;
        private final List<Digest> digests = new ArrayList<>();
        private final SortedMap<String, Value> values = new TreeMap<>();
        private String collectorId;
        private Instant time;
        private Status status = Status.OK;
        private String message;

        private Builder(ComponentId component, Layer layer) {
            this.component = component;
            this.layer = layer;
        }

        /**
         * Sets the collector id (required; {@link Collector#ID} syntax, checked in {@link #build()}).
         *
         * @param id the collector id
         * @return this builder
         */
        public Builder collector(String id) {
            this.collectorId = id;
            return this;
        }

        /**
         * Sets the measurement time (required; truncated to milliseconds).
         *
         * @param time the measurement time
         * @return this builder
         */
        public Builder time(Instant time) {
            this.time = time;
            return this;
        }

        /**
         * Adds a digest; at most one per algorithm (checked in {@link #build()}).
         *
         * @param digest the digest to add
         * @return this builder
         */
        public Builder digest(Digest digest) {
            digests.add(Objects.requireNonNull(digest, "digest"));
            return this;
        }

        /**
         * Adds each of {@code ds} as by {@link #digest(Digest)}.
         *
         * @param ds the digests to add, in order
         * @return this builder
         */
        public Builder digests(List<Digest> ds) {
            ds.forEach(this::digest);
            return this;
        }

        /**
         * Sets the value {@code name} (1 to 256 characters, no control characters), replacing any earlier one.
         *
         * @param name the value's name
         * @param value the value
         * @return this builder
         */
        public Builder value(String name, Value value) {
            values.put(Value.checkKey(name), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets an integer value.
         *
         * @param name the value's name
         * @param v the integer
         * @return this builder
         */
        public Builder value(String name, long v) {
            return value(name, new Value.Int(v));
        }

        /**
         * Sets a real value (finite).
         *
         * @param name the value's name
         * @param v the real number; must be finite
         * @return this builder
         */
        public Builder value(String name, double v) {
            return value(name, new Value.Real(v));
        }

        /**
         * Sets a boolean value.
         *
         * @param name the value's name
         * @param v the boolean
         * @return this builder
         */
        public Builder value(String name, boolean v) {
            return value(name, new Value.Bool(v));
        }

        /**
         * Sets a text value.
         *
         * @param name the value's name
         * @param v the text
         * @return this builder
         */
        public Builder value(String name, String v) {
            return value(name, new Value.Text(v));
        }

        /**
         * Sets each entry of {@code vs} as by {@link #value(String, Value)}.
         *
         * @param vs the values by name
         * @return this builder
         */
        public Builder values(Map<String, ? extends Value> vs) {
            vs.forEach(this::value);
            return this;
        }

        /**
         * Sets the status and the message saying why (required when the status is not {@link Status#OK}).
         *
         * @param status the status
         * @param message why the status is what it is; required unless {@code status} is {@link Status#OK}
         * @return this builder
         */
        public Builder status(Status status, String message) {
            this.status = status;
            this.message = message;
            return this;
        }

        /**
         * A note on an OK measurement (e.g. which fallback was used).
         *
         * @param message the note
         * @return this builder
         */
        public Builder message(String message) {
            this.message = message;
            return this;
        }

        /**
         * @return the measurement
         * @throws IllegalArgumentException if the measurement would break its guarantees
         */
        public Measurement build() {
            return new Measurement(this);
        }
    }
}
