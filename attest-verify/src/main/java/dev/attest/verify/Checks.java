package dev.attest.verify;

/**
 * The ids of the checks {@link Verifier} runs; a {@link Finding}'s {@code check} is one of these
 * (or an {@link EvidenceAppraiser}'s own id). Policies refer to checks by these ids. Each is
 * documented in {@code docs/verifier.md}.
 */
public final class Checks {
    /** The evidence could not be decoded or its signature did not verify. */
    public static final String EVIDENCE = "evidence";
    /** The signing key belongs to no known device. */
    public static final String IDENTITY_UNKNOWN = "identity.unknown";
    /** The evidence is from another device than the one expected. */
    public static final String IDENTITY_MISMATCH = "identity.mismatch";
    /** A nonce was expected and is missing or different. */
    public static final String NONCE = "freshness.nonce";
    /** The nonce was already used. */
    public static final String NONCE_REPLAY = "freshness.nonce-replay";
    /** {@code iat} is missing. */
    public static final String IAT_MISSING = "freshness.iat-missing";
    /** {@code iat} lies in the future beyond the allowed skew. */
    public static final String IAT_FUTURE = "freshness.iat-future";
    /** The evidence is older than the allowed age. */
    public static final String STALE = "freshness.stale";
    /** {@code exp} has passed. */
    public static final String EXPIRED = "freshness.expired";
    /** The evidence carries no measurement log extent. */
    public static final String LOG_MISSING = "continuity.log-missing";
    /** The log does not replay from its {@code since} head to its {@code head}. */
    public static final String CHAIN = "continuity.chain";
    /** The sequence did not increase: a replay or rollback. */
    public static final String REPLAY = "continuity.replay";
    /** The log does not continue the last head seen, without a reboot. */
    public static final String BROKEN = "continuity.broken";
    /** The boot id changed: the device rebooted. */
    public static final String REBOOT = "continuity.reboot";
    /** First evidence seen from this device; continuity starts here. */
    public static final String FIRST_SEEN = "continuity.first-seen";
    /** No reference values apply, so executables cannot be affirmed. */
    public static final String REFERENCE_NONE = "reference.none";
    /** A digest matches no allowed reference digest. */
    public static final String REFERENCE_DIGEST = "reference.digest";
    /** A version is outside the allowed range. */
    public static final String REFERENCE_VERSION = "reference.version";
    /** A required component is missing. */
    public static final String REFERENCE_MISSING = "reference.missing";
    /** A forbidden component is present. */
    public static final String REFERENCE_FORBIDDEN = "reference.forbidden";
    /** A component without reference values. */
    public static final String REFERENCE_UNKNOWN = "reference.unknown-component";
    /** A collector reported ERROR. */
    public static final String MEASUREMENT_ERROR = "measurement.error";
    /** A collector reported UNSUPPORTED. */
    public static final String MEASUREMENT_UNSUPPORTED = "measurement.unsupported";
    /** Code in memory differs from its file on disk. */
    public static final String CODE_MISMATCH = "runtime.code-mismatch";
    /** Code runs from a file that was deleted or replaced. */
    public static final String CODE_REPLACED = "runtime.code-replaced";
    /** A writable+executable or otherwise unexplained executable mapping. */
    public static final String WX = "runtime.wx";
    /** Timing statistics out of bounds. */
    public static final String TIMING = "runtime.timing";
    /** JVM instrumentation (agents, boot class path changes, attach). */
    public static final String JVM_INSTRUMENTATION = "runtime.jvm-instrumentation";
    /** A claim outside the profile. */
    public static final String UNKNOWN_CLAIM = "evidence.unknown-claim";
    /** An {@link EvidenceAppraiser} failed. */
    public static final String APPRAISER_FAILED = "appraiser.failed";

    private Checks() {
    }
}
