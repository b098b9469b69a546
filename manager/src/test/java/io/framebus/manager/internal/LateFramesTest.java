package io.framebus.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LateFramesTest {
    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @Test
    void twoIntervalsAtThePublishRatePlusSlack() {
        assertThat(ms(LateFrames.overdueAfterNanos(0, false, 25, 0))).isEqualTo(80 + 250);
        assertThat(ms(LateFrames.overdueAfterNanos(0, false, 2, 0))).isEqualTo(1000 + 250);
        assertThat(ms(LateFrames.overdueAfterNanos(5, false, 25, 4.9))).as("the cap sets the rate")
                .isEqualTo(400 + 250);
        assertThat(ms(LateFrames.overdueAfterNanos(30, false, 10, 10))).as("a cap above the source rate")
                .isEqualTo(200 + 250);
    }

    @Test
    void keyframesModeAndUnknownRatesGoByWhatWasPublished() {
        assertThat(ms(LateFrames.overdueAfterNanos(0, true, 25, 1))).isEqualTo(2000 + 250);
        assertThat(ms(LateFrames.overdueAfterNanos(0, false, 0, 4))).isEqualTo(500 + 250);
        assertThat(ms(LateFrames.overdueAfterNanos(0, false, 0, 0))).as("nothing known: 1 fps")
                .isEqualTo(2000 + 250);
    }
}
