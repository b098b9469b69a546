package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheCapWithoutJitter() {
        Backoff b = new Backoff(500, 30_000, () -> 0.0);
        long[] expected = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
        for (long e : expected) {
            assertThat(b.nextDelayMillis(false)).isEqualTo(e);
        }
    }

    @Test
    void jitterTakesAtMostAQuarterOff() {
        Backoff b = new Backoff(1000, 1000, () -> 0.999_999);
        assertThat(b.nextDelayMillis(false)).isBetween(750L, 751L);
    }

    @Test
    void jitteredDelaysStayWithinBoundsAndDiffer() {
        Backoff b = new Backoff(500, 30_000);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            long nominal = Math.min(30_000, 500L << Math.min(i, 20));
            long d = b.nextDelayMillis(false);
            assertThat(d).isBetween(nominal * 3 / 4, nominal);
            seen.add(d);
        }
        assertThat(seen.size()).as("jittered").isGreaterThan(20);
    }

    @Test
    void permanentErrorsWaitTheMaximumEveryTime() {
        Backoff b = new Backoff(500, 30_000, () -> 0.0);
        assertThat(b.nextDelayMillis(true)).isEqualTo(30_000);
        assertThat(b.nextDelayMillis(true)).isEqualTo(30_000);
    }

    @Test
    void resetStartsAgainFromTheBase() {
        Backoff b = new Backoff(100, 10_000, () -> 0.0);
        b.nextDelayMillis(false);
        b.nextDelayMillis(false);
        b.nextDelayMillis(false);
        b.reset();
        assertThat(b.nextDelayMillis(false)).isEqualTo(100);
    }

    @Test
    void neverOverflowsAfterManyAttempts() {
        Backoff b = new Backoff(1, 3_600_000, () -> 0.0);
        long last = 0;
        for (int i = 0; i < 10_000; i++) {
            last = b.nextDelayMillis(false);
            assertThat(last).isPositive().isLessThanOrEqualTo(3_600_000);
        }
        assertThat(last).isEqualTo(3_600_000);
    }

    @Test
    void aYoungOutageIsRetriedAboutEverySecondThenTheDelayGrows() {
        Backoff b = new Backoff(500, 30_000, () -> 0.0);
        long[] young = {500, 1000, 1000, 1000, 1000, 1000, 1000};
        for (long e : young) {
            assertThat(b.nextDelayMillis(false, 5_000)).isEqualTo(e);
        }
        long[] old = {2000, 4000, 8000, 16000, 30000, 30000};
        for (long e : old) {
            assertThat(b.nextDelayMillis(false, Backoff.YOUNG_OUTAGE_MILLIS + 1)).isEqualTo(e);
        }
        b.reset();
        assertThat(b.nextDelayMillis(false, 0)).isEqualTo(500);
    }

    @Test
    void youngRetriesKeepJitterAndABaseLargerThanASecond() {
        Backoff jittered = new Backoff(500, 30_000, () -> 0.999_999);
        jittered.nextDelayMillis(false, 0);
        assertThat(jittered.nextDelayMillis(false, 0)).isBetween(750L, 751L);
        Backoff slow = new Backoff(5000, 30_000, () -> 0.0);
        assertThat(slow.nextDelayMillis(false, 0)).isEqualTo(5000);
        assertThat(slow.nextDelayMillis(false, 0)).isEqualTo(5000);
        assertThat(slow.nextDelayMillis(true, 0)).as("permanent errors still wait the maximum").isEqualTo(30_000);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new Backoff(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(100, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
