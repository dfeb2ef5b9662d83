package dev.attest.verify;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A {@link DeviceStateStore} could not do its job: the database is unreachable or failed, its
 * schema is not one this version understands, or it is not the shard of a partitioned store the
 * configuration says it is ({@link #shard()} names which). Unchecked because the {@link DeviceStateStore} SPI
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
        MIGRATION_FAILED,
        /**
         * A store is not the shard the configuration says it is: it records another
         * {@link ShardIdentity} (the list of shards changed: one added, removed or reordered, or
         * another partition map), it holds state from before partitioning, or it is a shard and
         * was used on its own rather than through {@link PartitionedDeviceStateStore}.
         */
        PARTITION_MISMATCH
    }

    /** What went wrong. */
    private final Reason reason;
    /** The shard's place in the configured list, or -1. */
    private final int shard;

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
        this.shard = -1;
    }

    /**
     * An exception for {@code reason} about the shard at {@code shard} in the configured list of a
     * {@link PartitionedDeviceStateStore}.
     *
     * @param reason what went wrong
     * @param shard the shard's place in the configured list, from 0
     * @param message the detail message
     * @param cause the underlying failure, or null
     * @throws IllegalArgumentException if {@code shard} is negative
     */
    public StateStoreException(Reason reason, int shard, String message, Throwable cause) {
        super(reason + ": shard " + shard + ": " + message, cause);
        if (shard < 0) {
            throw new IllegalArgumentException("shard must not be negative: " + shard);
        }
        this.reason = Objects.requireNonNull(reason, "reason");
        this.shard = shard;
    }

    /**
     * What went wrong.
     *
     * @return the reason code
     */
    public Reason reason() {
        return reason;
    }

    /**
     * Which shard of a {@link PartitionedDeviceStateStore} failed: its place in the configured
     * list of shards, from 0.
     *
     * @return the shard's index, or empty if the failure is not one shard's
     */
    public OptionalInt shard() {
        return shard < 0 ? OptionalInt.empty() : OptionalInt.of(shard);
    }
}
