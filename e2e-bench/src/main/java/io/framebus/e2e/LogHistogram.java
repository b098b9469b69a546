package io.framebus.e2e;

import java.util.Arrays;
import java.util.Locale;

/**
 * A log-linear histogram of non-negative values (the recorder uses microseconds): exact below 128, then 64 buckets
 * per power of two, so every recorded value is known within 1/64 (1.6 %). Cumulative: a measurement window is the
 * {@link #minus difference} of two snapshots. Not thread-safe; the recorder guards it.
 *
 * <p>Serialised as {@code index:count} pairs separated by commas, only non-empty buckets ({@link #format},
 * {@link #parse}).
 */
public final class LogHistogram {
    static final int SUB_BITS = 6;
    static final int SUB = 1 << SUB_BITS; // 64
    /** Values above this are recorded as this (2^40 us = 12.7 days). */
    public static final long MAX_VALUE = (1L << 40) - 1;
    static final int BUCKETS = index(MAX_VALUE) + 1;

    private final long[] counts;
    private long total;

    public LogHistogram() {
        this.counts = new long[BUCKETS];
    }

    private LogHistogram(long[] counts) {
        this.counts = counts;
        this.total = Arrays.stream(counts).sum();
    }

    /** Bucket index of a value; values below 2 * SUB have their own bucket. */
    static int index(long value) {
        long v = Math.min(Math.max(0, value), MAX_VALUE);
        if (v < 2 * SUB) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS + 1
        int shift = msb - SUB_BITS;
        return (shift + 1) * SUB + (int) (v >> shift) - SUB;
    }

    /** The smallest value of a bucket. */
    static long lowest(int index) {
        if (index < 2 * SUB) {
            return index;
        }
        int shift = index / SUB - 1;
        long top = SUB + index % SUB;
        return top << shift;
    }

    /** The largest value of a bucket. */
    static long highest(int index) {
        if (index < 2 * SUB) {
            return index;
        }
        int shift = index / SUB - 1;
        return lowest(index) + (1L << shift) - 1;
    }

    public void record(long value) {
        counts[index(value)]++;
        total++;
    }

    public long count() {
        return total;
    }

    /**
     * The value at quantile {@code q} (0..1): the upper bound of the bucket holding the ceil(q * count)-th smallest
     * value, so a reported p99 is never below the true one. -1 when empty.
     */
    public long percentile(double q) {
        if (total == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return highest(i);
            }
        }
        return highest(counts.length - 1);
    }

    /** Upper bound of the largest recorded value, -1 when empty. */
    public long max() {
        for (int i = counts.length - 1; i >= 0; i--) {
            if (counts[i] > 0) {
                return highest(i);
            }
        }
        return -1;
    }

    /** Mean, taking each bucket at its midpoint; NaN when empty. */
    public double mean() {
        if (total == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                sum += counts[i] * (lowest(i) + highest(i)) / 2.0;
            }
        }
        return sum / total;
    }

    /** Fraction of the values above {@code limit} (bucket precision). */
    public double fractionAbove(long limit) {
        if (total == 0) {
            return 0;
        }
        long above = 0;
        for (int i = 0; i < counts.length; i++) {
            if (lowest(i) > limit) {
                above += counts[i];
            }
        }
        return (double) above / total;
    }

    public LogHistogram copy() {
        return new LogHistogram(counts.clone());
    }

    /** The values recorded in this histogram but not in {@code earlier} (an earlier snapshot of the same one). */
    public LogHistogram minus(LogHistogram earlier) {
        long[] d = counts.clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.max(0, d[i] - earlier.counts[i]);
        }
        return new LogHistogram(d);
    }

    /** Adds every value of {@code other} to this one. */
    public LogHistogram add(LogHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        return this;
    }

    public String format() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(i).append(':').append(counts[i]);
            }
        }
        return sb.toString();
    }

    public static LogHistogram parse(String text) {
        long[] c = new long[BUCKETS];
        if (text != null && !text.isBlank()) {
            for (String pair : text.trim().split(",")) {
                int colon = pair.indexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("not index:count: " + pair);
                }
                int i = Integer.parseInt(pair.substring(0, colon).trim());
                if (i < 0 || i >= BUCKETS) {
                    throw new IllegalArgumentException("bucket out of range: " + pair);
                }
                c[i] += Long.parseLong(pair.substring(colon + 1).trim());
            }
        }
        return new LogHistogram(c);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "n=%d p50=%d p99=%d max=%d", total, percentile(0.5), percentile(0.99), max());
    }
}
