package dev.attest.core.internal;

import dev.attest.core.Measurement;
import java.util.Objects;

/**
 * Lets the canonical decoder ({@link MeasurementCodec#decodeCanonical}) hand a measurement the
 * bytes it was decoded from as its canonical encoding, so they are neither re-encoded to prove
 * they are canonical nor encoded again when the log chain is re-hashed. Not an API: the package
 * is exported only to the SDK's own modules, and only {@link Measurement} can register the hook.
 */
public final class MeasurementAccess {
    /** Builds a measurement whose canonical encoding is already known. */
    public interface Hook {
        /**
         * {@code builder.build()} with {@code canonical} (owned by the measurement from now on)
         * as its canonical encoding; the caller guarantees they are its exact canonical bytes.
         */
        Measurement build(Measurement.Builder builder, byte[] canonical);
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
