package dev.attest.verify;

/**
 * How much a {@link Finding} weighs before policy: {@code INFO} is reported and changes nothing,
 * {@code WARNING} lowers its trust claim to the AR4SI warning tier, {@code CONTRAINDICATED} to
 * the contraindicated tier. A {@link Policy} may raise or lower it per check.
 */
public enum Severity {
    /** Reported; no effect on the trust vector. */
    INFO,
    /** The affected trust claim becomes a warning (AR4SI value 32). */
    WARNING,
    /** The affected trust claim becomes contraindicated (AR4SI value 96, 99 for cryptographic failures). */
    CONTRAINDICATED
}
