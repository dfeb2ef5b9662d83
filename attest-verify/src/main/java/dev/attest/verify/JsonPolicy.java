package dev.attest.verify;

import dev.attest.verify.ConfigException.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The policy {@link Policy#fromJson} loads: severities by check id or {@code prefix.*}, the
 * runtime rules and the bound of accepted stale evidence. Its entries are visible to {@link Verifier.Builder#build}, which checks them
 * against the appraisers' floors as well.
 */
final class JsonPolicy implements Policy {
    private final String id;
    private final Map<String, Severity> severities;
    private final Map<String, Severity> exact = new TreeMap<>();
    // Wildcard prefixes (without the '*'), longest first: the most specific one wins.
    private final List<Map.Entry<String, Severity>> wildcards = new ArrayList<>();
    private final RuntimeRules rules;
    private final Optional<java.time.Duration> acceptStale;

    JsonPolicy(String id, Map<String, Severity> severities, RuntimeRules rules,
            Optional<java.time.Duration> acceptStale) {
        this.id = id;
        this.severities = Map.copyOf(severities);
        this.rules = rules;
        this.acceptStale = acceptStale;
        for (Map.Entry<String, Severity> e : new TreeMap<>(severities).entrySet()) {
            if (Checks.isWildcard(e.getKey())) {
                wildcards.add(Map.entry(e.getKey().substring(0, e.getKey().length() - 1), e.getValue()));
            } else {
                exact.put(e.getKey(), e.getValue());
            }
        }
        wildcards.sort(Comparator.comparingInt((Map.Entry<String, Severity> e) -> e.getKey().length()).reversed());
    }

    /**
     * Refuses an entry that gives a check {@code floor} covers (or a wildcard reaching one) a
     * severity below contraindicated.
     */
    static void requireFloor(Map<String, Severity> severities, Set<String> floor, String policyId)
            throws ConfigException {
        for (Map.Entry<String, Severity> e : new TreeMap<>(severities).entrySet()) {
            if (e.getValue() == Severity.CONTRAINDICATED) {
                continue;
            }
            Optional<String> reached = Checks.reachedFloor(e.getKey(), floor);
            if (reached.isPresent()) {
                String what = Checks.isWildcard(e.getKey()) ? "the wildcard reaches floor check " + reached.get()
                        : e.getKey().equals(reached.get()) ? e.getKey() + " is a floor check"
                        : e.getKey() + " is under floor entry " + reached.get();
                throw new ConfigException(Reason.BELOW_FLOOR, "/severity/" + e.getKey(), what
                        + ": policy " + policyId + " may not make it " + e.getValue().name().toLowerCase(Locale.ROOT)
                        + " (only contraindicated; see docs/verifier.md, The floor"
                        + (Checks.isWildcard(e.getKey()) ? "; name the checks to lower one by one)" : ")"));
            }
        }
    }

    /** {@link #requireFloor} with this policy's entries. */
    void requireFloor(Set<String> floor) throws ConfigException {
        requireFloor(severities, floor, id);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Severity severity(Finding finding) {
        Severity s = exact.get(finding.check());
        if (s != null) {
            return s;
        }
        for (Map.Entry<String, Severity> w : wildcards) {
            if (finding.check().startsWith(w.getKey())) {
                return w.getValue();
            }
        }
        return finding.severity();
    }

    @Override
    public RuntimeRules runtimeRules() {
        return rules;
    }

    @Override
    public Optional<java.time.Duration> acceptStale() {
        return acceptStale;
    }

    @Override
    public String toString() {
        return "Policy[" + id + "]";
    }
}
