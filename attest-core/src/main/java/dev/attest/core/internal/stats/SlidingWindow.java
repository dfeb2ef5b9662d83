package dev.attest.core.internal.stats;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The last {@code capacity} samples of a quantity, with order statistics. Percentiles use the
 * nearest-rank method: the p-th percentile of n sorted samples is the sample at rank
 * {@code ceil(p/100 * n)} (1-based), so every statistic is an observed sample; the median is the
 * 50th percentile (the lower middle sample for even n). Not thread-safe.
 */
public final class SlidingWindow {
    private final int capacity;
    private final ArrayDeque<Double> samples;

    public SlidingWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.capacity = capacity;
        this.samples = new ArrayDeque<>(capacity);
    }

    /** Adds a sample, dropping the oldest when full. */
    public void add(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("sample must be finite");
        }
        if (samples.size() == capacity) {
            samples.removeFirst();
        }
        samples.addLast(v);
    }

    public int size() {
        return samples.size();
    }

    /** Statistics of the current window; empty windows have none. */
    public Stats stats() {
        if (samples.isEmpty()) {
            throw new IllegalStateException("no samples");
        }
        double[] s = samples.stream().mapToDouble(Double::doubleValue).toArray();
        double last = s[s.length - 1];
        Arrays.sort(s);
        return new Stats(s[0], rank(s, 50), rank(s, 99), s[s.length - 1], last, s.length);
    }

    /** Nearest-rank percentile of sorted samples. */
    static double rank(double[] sorted, int p) {
        int r = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(1, r) - 1];
    }

    /**
     * Order statistics of a window.
     *
     * @param last the most recent sample
     * @param samples how many samples the window holds
     */
    public record Stats(double min, double median, double p99, double max, double last, int samples) {
    }
}
