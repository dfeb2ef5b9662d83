package dev.attest.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
        for (int round = 1; round <= rounds; round++) {
            Collection<RunResult> results = new Runner(new CommandLineOptions(jmh.toArray(String[]::new))).run();
            System.out.println();
            System.out.println("Ratios to the same-run baseline (1.0 = the physical limit)"
                    + (rounds > 1 ? ", round " + round + " of " + rounds : "") + ":");
            ratios(results).forEach((pair, ratio) -> {
                System.out.printf("  %s: %.3f%n", pair, ratio);
                all.computeIfAbsent(pair, k -> new ArrayList<>()).add(ratio);
            });
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
                if (other.startsWith("baseline") || !pairs(other, name, methods.keySet())) {
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
