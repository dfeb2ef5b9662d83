package dev.attest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.verify.ConfigException.Reason;
import dev.attest.verify.internal.Json;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Appraisal policy (RFC 9334 §8.5): the severity each finding gets and the rules of the built-in
 * runtime checks. The {@link Verifier} maps the resulting findings to the AR4SI trust vector and
 * the overall status. Implement this interface for policy in code, or load the declarative JSON
 * form ({@link #fromJson}, {@code "attest-policy": 1}, documented in docs/verifier.md).
 *
 * <p>A policy accepts known deviations of a device (an unknown component, a timing outlier, a
 * reboot); it can raise or lower a finding's severity, except below the floor: the findings of
 * {@link Checks#FLOOR} (signature, identity, challenge nonce, freshness, continuity of the log,
 * a failed appraiser) and of the checks appraisers list in {@link EvidenceAppraiser#floor()} (a
 * TPM quote's signature, PCR digest and nonce) stay contraindicated whatever the policy says.
 * {@link #fromJson} refuses a policy that tries ({@link ConfigException.Reason#BELOW_FLOOR});
 * {@link Verifier.Builder#build} refuses a policy whose {@link #severity} lowers a floor check it
 * is asked about; and the verifier keeps such findings contraindicated in any case, reporting
 * the attempt as {@link Checks#POLICY_FLOOR}. Accepting evidence older than the allowed age is
 * not a severity but a setting of its own with a bound: {@link #acceptStale()} (in JSON,
 * {@code "accept-stale": {"up-to": "PT72H"}}) or {@link Verifier.Builder#acceptStale}.
 */
public interface Policy {
    /** The JSON format version this SDK reads. */
    int FORMAT_VERSION = 1;

    /**
     * The policy id reported in results ({@code ear.appraisal-policy-id}).
     *
     * @return the policy id
     */
    String id();

    /**
     * The severity {@code finding} gets under this policy (default: as reported). For a finding
     * of a floor check the verifier uses {@link Severity#CONTRAINDICATED} whatever this returns.
     *
     * @param finding the finding
     * @return its severity under this policy
     */
    default Severity severity(Finding finding) {
        return finding.severity();
    }

    /**
     * The rules of the runtime checks.
     *
     * @return the runtime rules
     */
    default RuntimeRules runtimeRules() {
        return RuntimeRules.defaults();
    }

    /**
     * How old evidence of devices that were offline may be and still be accepted, beyond the
     * verifier's max age ({@link Verifier.Builder#acceptStale}, which this sets when the builder
     * does not): a positive bound of at most {@link #MAX_ACCEPT_STALE}, longer than the max age.
     * Every result it affects carries {@link Checks#STALE_ACCEPTED}. Default: none.
     *
     * @return the bound, or empty if stale evidence is never accepted
     */
    default Optional<Duration> acceptStale() {
        return Optional.empty();
    }

    /** The longest bound {@link #acceptStale()} and {@link Verifier.Builder#acceptStale} take: 30 days. */
    Duration MAX_ACCEPT_STALE = Duration.ofDays(30);

    /**
     * The default policy: every finding as reported, JIT allowed, nothing else.
     *
     * @return the default policy
     */
    static Policy defaults() {
        return () -> "attest-default/1";
    }

    /**
     * Parses the declarative JSON policy. The keys of {@code severity} are check ids, or a prefix
     * followed by {@code .*} for every check under it ({@code "reference.*"}); an exact id wins
     * over a wildcard, a longer wildcard over a shorter one.
     *
     * @param json the JSON text
     * @return the policy
     * <p>{@code "accept-stale": {"up-to": "PT72H"}} sets {@link #acceptStale()}: {@code up-to} is
     * required, an ISO-8601 duration ({@link Duration#parse}), positive and at most
     * {@link #MAX_ACCEPT_STALE}; {@link Verifier.Builder#build} also requires it to be longer than
     * the max age.
     *
     * @throws ConfigException if the JSON is not a policy of this version; with
     *     {@link ConfigException.Reason#BAD_VALUE} at {@code /accept-stale} or
     *     {@code /accept-stale/up-to} if the bound is absent, not a duration, not positive or
     *     above {@link #MAX_ACCEPT_STALE}; with {@link ConfigException.Reason#BELOW_FLOOR} and the path of the entry (e.g.
     *     {@code /severity/continuity.replay}) if it gives a check of {@link Checks#FLOOR}, or a
     *     wildcard covering one, a severity below {@code contraindicated}
     */
    static Policy fromJson(String json) throws ConfigException {
        JsonNode root = Json.parse(json);
        Json.object(root, "", Set.of("attest-policy", "id", "severity", "runtime", "accept-stale"));
        Json.version(root, "attest-policy", FORMAT_VERSION);
        String id = Json.text(root, "id", "");
        Map<String, Severity> severities = new TreeMap<>();
        JsonNode sev = root.get("severity");
        if (sev != null) {
            if (!sev.isObject()) {
                throw new ConfigException(Reason.BAD_VALUE, "/severity", "must be an object");
            }
            for (Map.Entry<String, JsonNode> e : sev.properties()) {
                String at = "/severity/" + e.getKey();
                if (!Checks.validPattern(e.getKey())) {
                    throw new ConfigException(Reason.BAD_VALUE, at,
                            "must be a check id ([a-z0-9_.-]) or a check id prefix followed by .*");
                }
                if (!e.getValue().isTextual()) {
                    throw new ConfigException(Reason.BAD_VALUE, at, "must be info, warning or contraindicated");
                }
                try {
                    severities.put(e.getKey(), Severity.valueOf(e.getValue().asText().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(Reason.BAD_VALUE, at, "must be info, warning or contraindicated");
                }
            }
        }
        JsonPolicy.requireFloor(severities, Checks.FLOOR, id);
        RuntimeRules rules = RuntimeRules.defaults();
        JsonNode rt = root.get("runtime");
        if (rt != null) {
            Json.object(rt, "/runtime", Set.of("allow-jit", "wx-allow", "jvm-allow", "timing"));
            List<RuntimeRules.TimingBound> timing = new ArrayList<>();
            JsonNode tn = rt.get("timing");
            if (tn != null) {
                if (!tn.isArray()) {
                    throw new ConfigException(Reason.BAD_VALUE, "/runtime/timing", "must be an array");
                }
                for (int i = 0; i < tn.size(); i++) {
                    String at = "/runtime/timing/" + i;
                    JsonNode t = Json.object(tn.get(i), at, Set.of("component", "value", "max"));
                    JsonNode max = t.get("max");
                    if (max == null || !max.isNumber() || !Double.isFinite(max.asDouble())) {
                        throw new ConfigException(Reason.BAD_VALUE, at + "/max", "must be a number");
                    }
                    timing.add(new RuntimeRules.TimingBound(Json.text(t, "component", at), Json.text(t, "value", at),
                            max.asDouble()));
                }
            }
            rules = new RuntimeRules(Json.bool(rt, "allow-jit", "/runtime", true), strings(rt, "wx-allow"),
                    new LinkedHashSet<>(strings(rt, "jvm-allow")), timing);
        }
        return new JsonPolicy(id, severities, rules, acceptStale(root.get("accept-stale")));
    }

    /** {@code "accept-stale": {"up-to": DURATION}}, strictly: the bound is required and bounded. */
    private static Optional<Duration> acceptStale(JsonNode n) throws ConfigException {
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isObject()) {
            throw new ConfigException(Reason.BAD_VALUE, "/accept-stale",
                    "must be an object {\"up-to\": \"<ISO-8601 duration>\"}");
        }
        Json.object(n, "/accept-stale", Set.of("up-to"));
        JsonNode v = n.get("up-to");
        String at = "/accept-stale/up-to";
        if (v == null) {
            throw new ConfigException(Reason.BAD_VALUE, at, "required: accepting stale evidence needs a bound");
        }
        if (!v.isTextual()) {
            throw new ConfigException(Reason.BAD_VALUE, at, "must be an ISO-8601 duration such as \"PT72H\"");
        }
        Duration d;
        try {
            d = Duration.parse(v.asText());
        } catch (DateTimeParseException e) {
            throw new ConfigException(Reason.BAD_VALUE, at, "must be an ISO-8601 duration such as \"PT72H\"");
        }
        if (d.isNegative() || d.isZero()) {
            throw new ConfigException(Reason.BAD_VALUE, at, "must be positive");
        }
        if (d.compareTo(MAX_ACCEPT_STALE) > 0) {
            throw new ConfigException(Reason.BAD_VALUE, at, "must be at most " + MAX_ACCEPT_STALE + " (30 days)");
        }
        return Optional.of(d);
    }

    private static List<String> strings(JsonNode n, String field) throws ConfigException {
        JsonNode v = n.get(field);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw new ConfigException(Reason.BAD_VALUE, "/runtime/" + field, "must be an array of strings");
        }
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual() || v.get(i).asText().isEmpty()) {
                throw new ConfigException(Reason.BAD_VALUE, "/runtime/" + field + "/" + i, "must be a non-empty string");
            }
            out.add(v.get(i).asText());
        }
        return out;
    }
}
