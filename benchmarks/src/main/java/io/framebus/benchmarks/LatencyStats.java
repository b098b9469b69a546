package io.framebus.benchmarks;

import java.util.Arrays;

/**
 * Percentiles of a set of latency samples in nanoseconds, by the nearest-rank method (a percentile is always a
 * measured sample). With n samples, percentiles above 1 - 1/n are the maximum: 750 frames (30 s at 25 fps) give
 * a p99.9 that is the largest sample.
 */
record LatencyStats(int count, long minNanos, long p50Nanos, long p90Nanos, long p99Nanos, long p999Nanos,
                    long maxNanos, double meanNanos) {

    static LatencyStats of(long[] samples, int count) {
        if (count == 0) {
            return new LatencyStats(0, 0, 0, 0, 0, 0, 0, 0);
        }
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        double sum = 0;
        for (long s : sorted) {
            sum += s;
        }
        return new LatencyStats(count, sorted[0], rank(sorted, 0.50), rank(sorted, 0.90), rank(sorted, 0.99),
                rank(sorted, 0.999), sorted[count - 1], sum / count);
    }

    private static long rank(long[] sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
