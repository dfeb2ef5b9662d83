package dev.attest.verify;

import java.util.Objects;

/**
 * A {@link DeviceStateStore} could not do its job: the database is unreachable or failed, or its
 * schema is not one this version understands. Unchecked because the {@link DeviceStateStore} SPI
 * is called from {@link Verifier#appraise}, which never turns a broken store into a result: an
 * appraisal that could not check continuity must not be reported at all. {@link #reason()} says
 * why; the cause carries the driver's exception.
 */
public final class StateStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** The database could not be reached or a statement failed. */
        UNAVAILABLE,
        /** The schema was written by a newer version of attest (its version is above the known one). */
        SCHEMA_TOO_NEW,
        /** Creating or upgrading the schema failed. */
        MIGRATION_FAILED
    }

    /** What went wrong. */
    private final Reason reason;

    /**
     * An exception for {@code reason} caused by {@code cause} (may be null).
     *
     * @param reason what went wrong
     * @param message the detail message
     * @param cause the underlying failure, or null
     */
    public StateStoreException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * What went wrong.
     *
     * @return the reason code
     */
    public Reason reason() {
        return reason;
    }
}
