package dev.attest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.attest.verify.ConfigException.Reason;
import dev.attest.verify.internal.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Appraisal policy (RFC 9334 §8.5): the severity each finding gets and the rules of the built-in
 * runtime checks. The {@link Verifier} maps the resulting findings to the AR4SI trust vector and
 * the overall status. Implement this interface for policy in code, or load the declarative JSON
 * form ({@link #fromJson}, {@code "attest-policy": 1}, documented in docs/verifier.md).
 *
 * <p>A policy can lower a finding's severity (accept a known deviation) but the verifier keeps
 * cryptographic and identity failures ({@link Checks#EVIDENCE}, {@link Checks#IDENTITY_UNKNOWN})
 * contraindicated whatever the policy says: a bad signature is never affirming.
 */
public interface Policy {
    /** The JSON format version this SDK reads. */
    int FORMAT_VERSION = 1;

    /** The policy id reported in results ({@code ear.appraisal-policy-id}). */
    String id();

    /** The severity {@code finding} gets under this policy (default: as reported). */
    default Severity severity(Finding finding) {
        return finding.severity();
    }

    /** The rules of the runtime checks. */
    default RuntimeRules runtimeRules() {
        return RuntimeRules.defaults();
    }

    /** The default policy: every finding as reported, JIT allowed, nothing else. */
    static Policy defaults() {
        return () -> "attest-default/1";
    }

    /** Parses the declarative JSON policy. */
    static Policy fromJson(String json) throws ConfigException {
        JsonNode root = Json.parse(json);
        Json.object(root, "", Set.of("attest-policy", "id", "severity", "runtime"));
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
        RuntimeRules finalRules = rules;
        Map<String, Severity> finalSeverities = Map.copyOf(severities);
        return new Policy() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public Severity severity(Finding finding) {
                return finalSeverities.getOrDefault(finding.check(), finding.severity());
            }

            @Override
            public RuntimeRules runtimeRules() {
                return finalRules;
            }

            @Override
            public String toString() {
                return "Policy[" + id + "]";
            }
        };
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
