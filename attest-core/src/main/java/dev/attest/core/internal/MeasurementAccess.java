package dev.attest.core.internal;

import dev.attest.core.ComponentId;
import dev.attest.core.Digest;
import dev.attest.core.DigestAlgorithm;
import dev.attest.core.Layer;
import dev.attest.core.Measurement;
import dev.attest.core.Value;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;

/**
 * Lets the canonical decoder ({@link MeasurementCodec#decodeCanonical}) make a measurement from
 * the fields it decoded, handing over its collections, its digest arrays and the bytes it was
 * decoded from as the canonical encoding, so nothing is copied, re-encoded to prove it is
 * canonical, or encoded again when the log chain is re-hashed. The measurement and its digests
 * still check every guarantee they document. Not an API: the package is exported only to the
 * SDK's own modules, and only {@link Measurement} can register the hook.
 */
public final class MeasurementAccess {
    /** Makes a measurement whose canonical encoding is already known. */
    public interface Hook {
        /**
         * The measurement of these fields, checked as {@link Measurement.Builder#build()} checks
         * them; the collections and {@code canonical} are owned by the measurement from now on.
         *
         * @param digests an unmodifiable list, never modified afterwards
         * @param values a sorted map never modified afterwards, or null for none
         * @param collectorIdChecked whether {@code collectorId} is a string a measurement was made
         *     with before (so it is a valid collector id, not checked again)
         * @param message null for none
         * @param canonical the exact canonical bytes of the result, as the caller guarantees
         * @throws IllegalArgumentException if the measurement would break its guarantees
         */
        Measurement build(ComponentId component, Layer layer, List<Digest> digests, SortedMap<String, Value> values,
                String collectorId, boolean collectorIdChecked, long timeMillis, Measurement.Status status,
                String message, byte[] canonical);

        /**
         * A component whose name and version (or null) the caller knows to hold no control
         * character (read as printable ASCII, or taken from a component made before); only their
         * lengths are checked.
         *
         * @throws IllegalArgumentException if a length is out of bounds
         */
        ComponentId controlFreeComponent(String name, String version);

        /**
         * {@code m} taken at {@code timeMillis} instead, with {@code canonical} as its canonical
         * encoding, without checking again what {@code m} was checked for when it was made: only
         * its time differs, and a measurement's guarantees do not involve its time.
         */
        Measurement retimed(Measurement m, long timeMillis, byte[] canonical);

        /**
         * {@code new Digest(algorithm, value)} without copying {@code value}, which the caller
         * must not keep or modify.
         *
         * @throws IllegalArgumentException if {@code value} is not {@link DigestAlgorithm#length()} bytes long
         */
        Digest digest(DigestAlgorithm algorithm, byte[] value);
    }

    private static volatile Hook hook;

    private MeasurementAccess() {
    }

    /** Called once, by {@link Measurement}'s class initializer. */
    public static void register(Hook h) {
        synchronized (MeasurementAccess.class) {
            if (hook != null) {
                throw new IllegalStateException("already registered");
            }
            hook = Objects.requireNonNull(h);
        }
    }

    static Hook hook() {
        Hook h = hook;
        if (h == null) {
            try {
                Class.forName(Measurement.class.getName(), true, MeasurementAccess.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            h = hook;
        }
        return h;
    }
}
