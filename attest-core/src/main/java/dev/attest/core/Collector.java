package dev.attest.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * The measurement SPI: one source of measurements (files, a process, IMA, a TPM, or the
 * product's own). Implement it, then pass instances to
 * {@link MeasurementScheduler.Builder#collector(Collector)}, or register the class for
 * {@link ServiceLoader} ({@code provides dev.attest.core.Collector with ...} in
 * {@code module-info.java}, or {@code META-INF/services/dev.attest.core.Collector}) so that
 * {@link #discover()} finds it.
 *
 * <p>Contract: {@link #collect} returns the measurements of one cycle. When the source does not
 * exist here it returns {@link Measurement.Status#UNSUPPORTED} measurements naming the reason,
 * rather than an empty list. It may throw or take too long: the scheduler then records an
 * {@link Measurement.Status#ERROR} measurement for this collector and carries on with the
 * others. It should respond to interruption, which is how a timed-out run is cancelled.
 * Implementations must be safe to call from a thread other than the one that built them; the
 * scheduler never calls one instance concurrently with itself.
 */
public interface Collector {
    /** Collector ids: 1 to 64 characters of {@code [a-z0-9._-]}, starting with a letter. */
    Pattern ID = Pattern.compile("[a-z][a-z0-9._-]{0,63}");

    /**
     * A stable id, unique among the collectors of one scheduler, e.g. {@code file-digest}.
     *
     * @return the collector id ({@link #ID} syntax)
     */
    String id();

    /**
     * Takes this cycle's measurements.
     *
     * @param context the cycle being collected
     * @return the measurements; empty if there are none
     * @throws Exception any failure; the scheduler turns it into an ERROR measurement
     */
    List<Measurement> collect(CollectionContext context) throws Exception;

    /**
     * The layer this collector mainly measures; the scheduler files the ERROR measurement it
     * makes for a failed or timed-out run under it. Defaults to {@link Layer#APPLICATION}.
     *
     * @return the layer
     */
    default Layer layer() {
        return Layer.APPLICATION;
    }

    /**
     * Every collector registered with {@link ServiceLoader} and visible to this class's loader.
     *
     * @return the collectors found, in {@link ServiceLoader} order
     */
    static List<Collector> discover() {
        List<Collector> out = new ArrayList<>();
        ServiceLoader.load(Collector.class, Collector.class.getClassLoader()).forEach(out::add);
        return out;
    }

    /**
     * Checks a collector id against {@link #ID}.
     *
     * @param id the id to check
     * @return {@code id}, unchanged
     */
    static String checkId(String id) {
        Objects.requireNonNull(id, "collector id");
        if (!isId(id)) {
            throw new IllegalArgumentException("collector id must match " + ID + ": " + id);
        }
        return id;
    }

    /** {@code ID.matcher(id).matches()}, without a matcher: measurements are checked by the thousand. */
    private static boolean isId(String id) {
        int n = id.length();
        if (n < 1 || n > 64) {
            return false;
        }
        char first = id.charAt(0);
        if (first < 'a' || first > 'z') {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
