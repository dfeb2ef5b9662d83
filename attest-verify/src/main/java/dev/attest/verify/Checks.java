package dev.attest.verify;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ids of the checks {@link Verifier} runs; a {@link Finding}'s {@code check} is one of these
 * (or an {@link EvidenceAppraiser}'s own id). Policies refer to checks by these ids. Each is
 * documented in {@code docs/verifier.md}.
 *
 * <p><b>The floor.</b> {@link #FLOOR} names the checks without which a result is not attestation
 * at all: the evidence is authentic, from the device it names, answers this challenge, is fresh,
 * and continues the device's log. Their findings are always {@link Severity#CONTRAINDICATED}: a
 * {@link Policy} can neither lower them ({@link Policy#fromJson} refuses it, {@link
 * Verifier.Builder#build} refuses a policy it can see doing it, and the verifier keeps them
 * contraindicated whatever {@link Policy#severity} returns) nor be written to by accident (a
 * wildcard that covers one is refused too). An {@link EvidenceAppraiser} puts its own checks of
 * the same kind (a quote's signature, PCR digest or nonce) under the floor by using these ids or
 * by listing its ids in {@link EvidenceAppraiser#floor()}.
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
    /**
     * The evidence is older than the allowed age (and than the bound of {@link
     * Verifier.Builder#acceptStale}, if set).
     */
    public static final String STALE = "freshness.stale";
    /**
     * The evidence is older than the allowed age but within the bound of {@link
     * Verifier.Builder#acceptStale}, and was appraised as if fresh (INFO, reported in every result
     * it affects): the result vouches for the device as it was when the evidence was issued.
     */
    public static final String STALE_ACCEPTED = "freshness.stale-accepted";
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
    /**
     * The policy gave a finding of a {@link #FLOOR} check a severity below contraindicated; the
     * floor kept it contraindicated (INFO, next to the finding it names, so the attempt is seen).
     */
    public static final String POLICY_FLOOR = "policy.floor";

    /**
     * The floor, in id order: the checks whose findings no {@link Policy} may lower below
     * {@link Severity#CONTRAINDICATED}. An entry is a check id, or a prefix ending in {@code .*}
     * that covers every id starting with the part before the {@code *} ({@code identity.*}). The
     * reason for each row is in docs/verifier.md ("The floor"). Every scheme inherits it:
     * appraisers' findings with these ids are under it, and an appraiser adds its own with
     * {@link EvidenceAppraiser#floor()}.
     */
    public static final Set<String> FLOOR = Collections.unmodifiableSortedSet(new TreeSet<>(List.of(EVIDENCE,
            "identity.*", NONCE, NONCE_REPLAY, IAT_MISSING, IAT_FUTURE, STALE, EXPIRED, LOG_MISSING, CHAIN, REPLAY,
            BROKEN, APPRAISER_FAILED)));

    private Checks() {
    }

    /** Every check id this class defines, by reflection on its constants (so none is forgotten). */
    static List<String> builtIn() {
        List<String> ids = new ArrayList<>();
        for (Field f : Checks.class.getFields()) {
            if (f.getType() == String.class && Modifier.isStatic(f.getModifiers())) {
                try {
                    ids.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return ids;
    }

    /**
     * Whether {@link #FLOOR} covers {@code check}.
     *
     * @param check the check id
     * @return true if the floor covers {@code check}
     */
    public static boolean inFloor(String check) {
        return covers(FLOOR, check);
    }

    /**
     * Whether one of {@code patterns} (check ids, or prefixes ending in {@code .*}, as in
     * {@link #FLOOR}) covers {@code check}.
     *
     * @param patterns check ids or prefixes ending in {@code .*}
     * @param check the check id
     * @return true if a pattern covers {@code check}
     */
    public static boolean covers(Set<String> patterns, String check) {
        for (String p : patterns) {
            if (matches(p, check)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the pattern (an id or a {@code prefix.*}) covers the check id. */
    static boolean matches(String pattern, String check) {
        return isWildcard(pattern) ? check.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(check);
    }

    /** Whether {@code pattern} is a {@code prefix.*} entry. */
    static boolean isWildcard(String pattern) {
        return pattern.endsWith(".*");
    }

    /**
     * Whether {@code pattern} is a check id ({@code [a-z0-9_.-]}, not starting or ending with a
     * dot) or such an id followed by {@code .*}.
     */
    static boolean validPattern(String pattern) {
        String id = isWildcard(pattern) ? pattern.substring(0, pattern.length() - 2) : pattern;
        return !id.isEmpty() && id.length() <= 128 && id.chars().allMatch(c -> (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-') && !id.startsWith(".")
                && !id.endsWith(".");
    }

    /**
     * The first entry of {@code floor} (in id order) that a {@code pattern} of a policy would
     * reach: the entry covers the id, the wildcard covers the entry, or two wildcards overlap.
     */
    static Optional<String> reachedFloor(String pattern, Set<String> floor) {
        String p = isWildcard(pattern) ? pattern.substring(0, pattern.length() - 1) : null;
        for (String f : new TreeSet<>(floor)) {
            String fp = isWildcard(f) ? f.substring(0, f.length() - 1) : null;
            boolean reached;
            if (p == null) {
                reached = matches(f, pattern);
            } else if (fp == null) {
                reached = f.startsWith(p);
            } else {
                reached = f.startsWith(p) || p.startsWith(fp);
            }
            if (reached) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
