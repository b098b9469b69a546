package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameRateCapTest {
    private static final long MS = 1_000_000L;

    /** Frames of a camera at {@code sourceFps} with up to {@code jitterMs} of arrival jitter, for {@code seconds}. */
    private static int admitted(double capFps, double sourceFps, double jitterMs, int seconds, long seed) {
        FrameRateCap cap = new FrameRateCap(capFps);
        Random r = new Random(seed);
        int n = 0;
        long start = 1_000_000_000_000L;
        int frames = (int) (sourceFps * seconds);
        for (int i = 0; i < frames; i++) {
            long t = start + Math.round(i * 1e9 / sourceFps + (r.nextDouble() * 2 - 1) * jitterMs * MS);
            if (cap.admit(t)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void zeroAdmitsEverything() {
        assertThat(admitted(0, 25, 5, 10, 1)).isEqualTo(250);
    }

    @Test
    void capsA25FpsCameraAt6() {
        int n = admitted(6, 25, 3, 60, 2);
        assertThat(n).isBetween(6 * 60 - 6, 6 * 60 + 1);
    }

    @Test
    void capAtTheSourceRateLosesNothingToJitter() {
        for (long seed = 0; seed < 10; seed++) {
            assertThat(admitted(25, 25, 9, 20, seed)).isEqualTo(500);
        }
    }

    @Test
    void sourceSlowerThanTheCapPassesWhole() {
        assertThat(admitted(10, 5, 2, 20, 4)).isEqualTo(100);
    }

    @Test
    void neverMoreThanTheCapInAnyWindow() {
        for (long seed = 0; seed < 20; seed++) {
            FrameRateCap cap = new FrameRateCap(5);
            Random r = new Random(seed);
            long t = 0;
            java.util.ArrayDeque<Long> window = new java.util.ArrayDeque<>();
            for (int i = 0; i < 2000; i++) {
                t += r.nextInt(60) * MS; // bursty, irregular arrivals
                if (cap.admit(t)) {
                    window.addLast(t);
                    while (t - window.peekFirst() >= 1000 * MS) {
                        window.removeFirst();
                    }
                    // T * fps + 1.5 for T = 1 s
                    assertThat(window.size()).isLessThanOrEqualTo(6);
                }
            }
        }
    }

    @Test
    void noBurstAfterAGap() {
        FrameRateCap cap = new FrameRateCap(5);
        assertThat(cap.admit(0)).isTrue();
        long t = 10_000 * MS; // ten silent seconds
        assertThat(cap.admit(t)).isTrue();
        assertThat(cap.admit(t + 40 * MS)).as("no catching up after a gap").isFalse();
        assertThat(cap.admit(t + 200 * MS)).isTrue();
    }

    @Test
    void rejectsNegativeAndNaN() {
        assertThatThrownBy(() -> new FrameRateCap(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrameRateCap(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
