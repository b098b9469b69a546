package io.framebus.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {
    @Test
    void percentilesAreNearestRankSamples() {
        long[] samples = new long[1000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = samples.length - i; // 1000 .. 1, unsorted on purpose
        }
        LatencyStats stats = LatencyStats.of(samples, samples.length);

        assertThat(stats.count()).isEqualTo(1000);
        assertThat(stats.minNanos()).isEqualTo(1);
        assertThat(stats.p50Nanos()).isEqualTo(500);
        assertThat(stats.p99Nanos()).isEqualTo(990);
        assertThat(stats.p999Nanos()).isEqualTo(999);
        assertThat(stats.maxNanos()).isEqualTo(1000);
        assertThat(stats.meanNanos()).isEqualTo(500.5);
    }

    @Test
    void onlyTheFirstCountSamplesCount() {
        LatencyStats stats = LatencyStats.of(new long[] {7, 3, 99, 99}, 2);

        assertThat(stats.count()).isEqualTo(2);
        assertThat(stats.maxNanos()).isEqualTo(7);
    }

    @Test
    void noSamplesIsAllZero() {
        assertThat(LatencyStats.of(new long[0], 0).maxNanos()).isZero();
    }
}
