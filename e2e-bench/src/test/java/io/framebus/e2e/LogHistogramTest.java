package io.framebus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LogHistogramTest {

    @Test
    void bucketsAreExactBelow128AndWithinOneSixtyFourthAbove() {
        for (long v = 0; v < 128; v++) {
            assertThat(LogHistogram.lowest(LogHistogram.index(v))).isEqualTo(v);
            assertThat(LogHistogram.highest(LogHistogram.index(v))).isEqualTo(v);
        }
        for (long v : new long[] {128, 129, 255, 256, 999, 1000, 1001, 65_535, 1_000_000, 123_456_789L, LogHistogram.MAX_VALUE}) {
            int i = LogHistogram.index(v);
            assertThat(LogHistogram.lowest(i)).isLessThanOrEqualTo(v);
            assertThat(LogHistogram.highest(i)).isGreaterThanOrEqualTo(v);
            assertThat((double) (LogHistogram.highest(i) - LogHistogram.lowest(i) + 1) / v).isLessThanOrEqualTo(1.0 / 64);
        }
    }

    @Test
    void bucketsTileTheValueRangeWithoutGapsOrOverlaps() {
        for (int i = 1; i < LogHistogram.BUCKETS; i++) {
            assertThat(LogHistogram.lowest(i)).isEqualTo(LogHistogram.highest(i - 1) + 1);
        }
        assertThat(LogHistogram.highest(LogHistogram.BUCKETS - 1)).isEqualTo(LogHistogram.MAX_VALUE);
    }

    @Test
    void percentilesAreUpperBoundsOfTheRightBucket() {
        LogHistogram h = new LogHistogram();
        for (int v = 1; v <= 100; v++) {
            h.record(v);
        }
        assertThat(h.count()).isEqualTo(100);
        assertThat(h.percentile(0.5)).isEqualTo(50);
        assertThat(h.percentile(0.99)).isEqualTo(99);
        assertThat(h.percentile(1.0)).isEqualTo(100);
        assertThat(h.max()).isEqualTo(100);
        assertThat(h.mean()).isCloseTo(50.5, within(1e-9));

        h.record(10_000); // one slow value in 101: the 100th smallest (p99) is 100, max moves to its bucket's upper bound
        assertThat(h.percentile(0.99)).isEqualTo(100);
        assertThat(h.max()).isBetween(10_000L, 10_000L + 10_000L / 64);
        assertThat(h.fractionAbove(1000)).isCloseTo(1.0 / 101, within(1e-9));
    }

    @Test
    void anEmptyHistogramSaysSo() {
        LogHistogram h = new LogHistogram();
        assertThat(h.percentile(0.5)).isEqualTo(-1);
        assertThat(h.max()).isEqualTo(-1);
        assertThat(h.mean()).isNaN();
        assertThat(h.format()).isEmpty();
        assertThat(LogHistogram.parse("").count()).isZero();
    }

    @Test
    void negativeAndHugeValuesAreClamped() {
        LogHistogram h = new LogHistogram();
        h.record(-5);
        h.record(Long.MAX_VALUE);
        assertThat(h.percentile(0.5)).isZero();
        assertThat(h.max()).isEqualTo(LogHistogram.MAX_VALUE);
    }

    @Test
    void aWindowIsTheDifferenceOfTwoSnapshots() {
        LogHistogram h = new LogHistogram();
        for (int i = 0; i < 1000; i++) {
            h.record(5_000); // warm-up: 5 ms
        }
        LogHistogram start = h.copy();
        for (int i = 0; i < 100; i++) {
            h.record(300);
        }
        LogHistogram window = h.minus(start);
        assertThat(window.count()).isEqualTo(100);
        assertThat(window.percentile(0.99)).isEqualTo(LogHistogram.highest(LogHistogram.index(300)));
        assertThat(start.count()).isEqualTo(1000); // the snapshot did not move
    }

    @Test
    void formatAndParseRoundTripAndAddMerges() {
        LogHistogram h = new LogHistogram();
        long[] values = {0, 1, 1, 127, 128, 4_321, 987_654, 55_555_555};
        for (long v : values) {
            h.record(v);
        }
        LogHistogram back = LogHistogram.parse(h.format());
        assertThat(back.format()).isEqualTo(h.format());
        assertThat(back.count()).isEqualTo(values.length);
        assertThat(back.percentile(0.5)).isEqualTo(h.percentile(0.5));

        LogHistogram sum = new LogHistogram().add(h).add(back);
        assertThat(sum.count()).isEqualTo(2L * values.length);
        assertThat(sum.max()).isEqualTo(h.max());
    }
}
