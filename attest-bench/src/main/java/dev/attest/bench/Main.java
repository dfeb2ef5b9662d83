package dev.attest.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs JMH benchmarks (same arguments as JMH's own main) and then prints, for every benchmark
 * class that has a method named {@code baseline*}, each other method's speed as a ratio to that
 * baseline (only the baselines named after its own suffix where there are such, e.g.
 * {@code decodeVerify} against {@code baselineVerify}):
 * {@code ratio = baseline time / attest time} (for time modes) or
 * {@code attest ops / baseline ops} (for throughput), so 1.0 means "as fast as the physical
 * limit measured in the same run" and the targets in BENCHMARKS.md read directly.
 *
 * <p>A benchmark that alternates a method and its baselines in one JVM, one per iteration, each
 * counted in an auxiliary counter named after it ({@code AppraisalBenchmark.paired}), gives one
 * ratio per baseline iteration: the baseline's against the method's iteration just before it.
 * Those are printed as their median with a distribution-free 95 % confidence interval.
 */
public final class Main {
    private Main() {
    }

    /**
     * Runs JMH with {@code args}; with {@code --rounds N} first, runs it N times and also prints
     * each ratio's median and range over the rounds. On a machine whose speed drifts between
     * minutes, a method and its baseline measured back to back in short rounds compare better
     * than in one long run where they are minutes apart.
     */
    public static void main(String[] args) throws Exception {
        int rounds = 1;
        List<String> jmh = new ArrayList<>(List.of(args));
        if (jmh.size() >= 2 && jmh.get(0).equals("--rounds")) {
            rounds = Integer.parseInt(jmh.get(1));
            jmh = jmh.subList(2, jmh.size());
        }
        Map<String, List<Double>> all = new TreeMap<>();
        Map<String, List<Double>> paired = new TreeMap<>();
        for (int round = 1; round <= rounds; round++) {
            Collection<RunResult> results = new Runner(new CommandLineOptions(jmh.toArray(String[]::new))).run();
            System.out.println();
            System.out.println("Ratios to the same-run baseline (1.0 = the physical limit)"
                    + (rounds > 1 ? ", round " + round + " of " + rounds : "") + ":");
            pairedRatios(results).forEach((pair, rs) -> paired.computeIfAbsent(pair, k -> new ArrayList<>()).addAll(rs));
            ratios(results).forEach((pair, ratio) -> {
                System.out.printf("  %s: %.3f%n", pair, ratio);
                all.computeIfAbsent(pair, k -> new ArrayList<>()).add(ratio);
            });
        }
        if (!paired.isEmpty()) {
            System.out.println();
            System.out.println("Paired iterations (method vs the baseline iteration after it), over all rounds:");
            paired.forEach((pair, rs) -> System.out.println("  " + pair + ": " + summary(rs)));
        }
        if (rounds > 1) {
            System.out.println();
            System.out.println("Over " + rounds + " rounds, median (min - max):");
            all.forEach((pair, rs) -> {
                List<Double> sorted = rs.stream().sorted().toList();
                double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                        : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
                System.out.printf("  %s: %.3f (%.3f - %.3f)%n", pair, median, sorted.get(0),
                        sorted.get(sorted.size() - 1));
            });
        }
    }

    /**
     * For benchmarks whose iterations each ran one side, named by the one auxiliary counter that is
     * not zero: each baseline iteration's ratio to the iteration of the measured method (a counter
     * not named {@code baseline*}) just before it, by "Class.method vs baseline". Throughput only.
     */
    static Map<String, List<Double>> pairedRatios(Collection<RunResult> results) {
        Map<String, List<Double>> out = new TreeMap<>();
        for (RunResult r : results) {
            String full = r.getParams().getBenchmark();
            String cls = shortName(full.substring(0, full.lastIndexOf('.'))) + paramsKey(r);
            for (BenchmarkResult fork : r.getBenchmarkResults()) {
                String method = null;
                double score = 0;
                for (IterationResult it : fork.getIterationResults()) {
                    Map.Entry<String, Double> side = side(it);
                    if (side == null) {
                        continue;
                    }
                    if (!side.getKey().startsWith("baseline")) {
                        method = side.getKey();
                        score = side.getValue();
                    } else if (method != null) {
                        out.computeIfAbsent(cls + "." + method + " vs " + side.getKey(), k -> new ArrayList<>())
                                .add(score / side.getValue());
                    }
                }
            }
        }
        return out;
    }

    /**
     * The one auxiliary counter of a paired iteration that is not zero, or null. Counters are
     * named after fields, so a profiler's secondary results ({@code gc.alloc.rate}, with a dot)
     * are not taken for one.
     */
    private static Map.Entry<String, Double> side(IterationResult it) {
        if (!it.getPrimaryResult().getScoreUnit().endsWith("/s")) {
            return null;
        }
        Map.Entry<String, Double> found = null;
        boolean anyBaseline = false;
        for (Map.Entry<String, Result> e : it.getSecondaryResults().entrySet()) {
            if (!e.getKey().chars().allMatch(Character::isJavaIdentifierPart)) {
                continue;
            }
            anyBaseline |= e.getKey().startsWith("baseline");
            if (e.getValue().getScore() > 0) {
                if (found != null) {
                    return null;
                }
                found = Map.entry(e.getKey(), e.getValue().getScore());
            }
        }
        return anyBaseline ? found : null;
    }

    /**
     * Median, its distribution-free 95 % confidence interval (the order statistics the binomial
     * distribution gives; none below 6 values), min and max, and the count.
     */
    static String summary(List<Double> values) {
        List<Double> v = values.stream().sorted().toList();
        int n = v.size();
        double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
        // The largest k with P(Binomial(n, 1/2) < k) <= 0.025: [x(k), x(n+1-k)] covers the median.
        int k = 0;
        double below = 0;
        double p = Math.pow(0.5, n);
        while (below + p <= 0.025) {
            below += p;
            p = p * (n - k) / (k + 1);
            k++;
        }
        String ci = k == 0 ? "no 95 % interval below 6 values"
                : String.format("95 %% CI %.3f - %.3f", v.get(k - 1), v.get(n - k));
        return String.format("%.3f (%s; min %.3f, max %.3f; %d pairs)", median, ci, v.get(0), v.get(n - 1), n);
    }

    /** Each method's ratio to its baselines, by "Class.method vs baseline". */
    static Map<String, Double> ratios(Collection<RunResult> results) {
        Map<String, Map<String, RunResult>> byClass = new TreeMap<>();
        for (RunResult r : results) {
            String full = r.getParams().getBenchmark();
            int dot = full.lastIndexOf('.');
            String key = full.substring(0, dot) + paramsKey(r);
            byClass.computeIfAbsent(key, k -> new TreeMap<>()).put(full.substring(dot + 1), r);
        }
        Map<String, Double> out = new TreeMap<>();
        byClass.forEach((cls, methods) -> methods.forEach((name, base) -> {
            if (!name.startsWith("baseline")) {
                return;
            }
            methods.forEach((other, r) -> {
                if (other.startsWith("baseline") || !pairs(other, name, methods.keySet())
                        || r.getSecondaryResults().keySet().stream().anyMatch(k -> k.startsWith("baseline"))) {
                    return;
                }
                double b = base.getPrimaryResult().getScore();
                double a = r.getPrimaryResult().getScore();
                boolean timeMode = r.getParams().getMode().shortLabel().matches("avgt|sample|ss");
                out.put(shortName(cls) + "." + other + " vs " + name, timeMode ? b / a : a / b);
            });
        }));
        return out;
    }

    /**
     * Whether {@code method} is compared with {@code baseline}. A baseline's key is the first word
     * after {@code baseline} ({@code Verify} for {@code baselineVerify} and
     * {@code baselineVerifyPrehashed}); a method whose name ends with some baseline's key
     * ({@code decodeVerify}) is compared with the baselines of that key only, any other method
     * with every baseline.
     */
    static boolean pairs(String method, String baseline, java.util.Set<String> all) {
        boolean keyed = all.stream().anyMatch(b -> b.startsWith("baseline") && !key(b).isEmpty()
                && method.endsWith(key(b)));
        return !keyed || !key(baseline).isEmpty() && method.endsWith(key(baseline));
    }

    private static String key(String baseline) {
        String suffix = baseline.substring("baseline".length());
        int end = 1;
        while (end < suffix.length() && !Character.isUpperCase(suffix.charAt(end))) {
            end++;
        }
        return suffix.substring(0, Math.min(end, suffix.length()));
    }

    private static String paramsKey(RunResult r) {
        StringBuilder sb = new StringBuilder();
        for (String k : r.getParams().getParamsKeys()) {
            sb.append(sb.length() == 0 ? " (" : ", ").append(k).append('=').append(r.getParams().getParam(k));
        }
        return sb.length() == 0 ? "" : sb.append(')').toString();
    }

    private static String shortName(String cls) {
        return cls.startsWith("dev.attest.bench.") ? cls.substring("dev.attest.bench.".length()) : cls;
    }
}
