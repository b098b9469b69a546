package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.api.FrameInfo;
import org.junit.jupiter.api.Test;

class PlaybackClockTest {
    private static final long MS = 1_000_000L;

    @Test
    void framesAreDueAtTheirTimestamps() {
        PlaybackClock c = new PlaybackClock(25);
        long now = 5_000 * MS;
        assertThat(c.dueNanos(1_000_000, now)).isEqualTo(now);
        assertThat(c.dueNanos(1_040_000, now)).isEqualTo(now + 40 * MS);
        assertThat(c.dueNanos(1_080_000, now + 10 * MS)).isEqualTo(now + 80 * MS);
    }

    @Test
    void aTimestampGoingBackRestartsTheClock() {
        PlaybackClock c = new PlaybackClock(25);
        c.dueNanos(5_000_000, 0);
        assertThat(c.dueNanos(0, 7 * MS)).isEqualTo(7 * MS);
        assertThat(c.dueNanos(40_000, 7 * MS)).isEqualTo(47 * MS);
    }

    @Test
    void aJumpAheadDoesNotMakeTheLoopWait() {
        PlaybackClock c = new PlaybackClock(25);
        c.dueNanos(0, 0);
        assertThat(c.dueNanos(60_000_000, 10 * MS)).isEqualTo(10 * MS);
    }

    @Test
    void fallingFarBehindDoesNotRaceToCatchUp() {
        PlaybackClock c = new PlaybackClock(25);
        c.dueNanos(0, 0);
        assertThat(c.dueNanos(40_000, 3_000 * MS)).isEqualTo(3_000 * MS);
        assertThat(c.dueNanos(80_000, 3_000 * MS)).isEqualTo(3_040 * MS);
    }

    @Test
    void framesWithoutTimestampsUseTheFrameRate() {
        PlaybackClock c = new PlaybackClock(10);
        assertThat(c.dueNanos(FrameInfo.NO_PTS, 0)).isEqualTo(0);
        assertThat(c.dueNanos(FrameInfo.NO_PTS, 0)).isEqualTo(100 * MS);
        assertThat(c.dueNanos(FrameInfo.NO_PTS, 0)).isEqualTo(200 * MS);
    }
}
