package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.api.CaptureTimeSource;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SourceClockTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    /** 2026-12-06T03:00:00Z in NTP seconds (since 1900). */
    private static final long NTP_SECONDS = 1_796_526_000L + SourceClock.NTP_UNIX_OFFSET_SECONDS;
    private static final long EPOCH_NANOS = 1_796_526_000L * 1_000_000_000L;

    /** An RTCP compound packet: a sender report, then a source description (which must be skipped). */
    private static byte[] senderReport(long ntpSeconds, long ntpFraction, long rtp) {
        byte[] p = new byte[28 + 12];
        p[0] = (byte) 0x80;
        p[1] = (byte) 200;
        p[3] = 6; // length in 32-bit words minus one
        put32(p, 8, ntpSeconds);
        put32(p, 12, ntpFraction);
        put32(p, 16, rtp);
        p[28] = (byte) 0x81;
        p[29] = (byte) 202;
        p[31] = 2;
        return p;
    }

    private static void put32(byte[] p, int at, long v) {
        p[at] = (byte) (v >>> 24);
        p[at + 1] = (byte) (v >>> 16);
        p[at + 2] = (byte) (v >>> 8);
        p[at + 3] = (byte) v;
    }

    @Test
    void noReportNoTime() {
        SourceClock c = new SourceClock(90000);
        assertThat(c.stamp(1234, 0)).isEqualTo(SourceClock.Stamp.NONE);
    }

    @Test
    void framesAreMappedThroughTheReportOnBothSidesAndAcrossTheWrap() {
        SourceClock c = new SourceClock(90000);
        // the report says: RTP 0xFFFFF000 was at 03:00:00.5
        assertThat(c.acceptRtcp(senderReport(NTP_SECONDS, 1L << 31, 0xFFFFF000L))).isTrue();
        SourceClock.Stamp before = c.stamp(0xFFFFF000L - 9000, 0);
        assertThat(before.source()).isEqualTo(CaptureTimeSource.RTCP);
        assertThat(before.epochNanos()).isEqualTo(EPOCH_NANOS + 500 * MS - 100 * MS);
        // 0x1000 + 0x1000 ticks later, past the 32-bit wrap (the unwrapped 64-bit timestamp works too)
        SourceClock.Stamp after = c.stamp(0x1_0000_1000L, 0);
        assertThat(after.epochNanos()).isEqualTo(EPOCH_NANOS + 500 * MS + 0x2000 * 1_000_000_000L / 90000);
        assertThat(after.reset()).isFalse();
    }

    @Test
    void timeThatStepsBackIsWithheldThenANewTimeLineIsTakenAndMarked() {
        SourceClock c = new SourceClock(90000);
        c.acceptRtcp(senderReport(NTP_SECONDS, 0, 90000));
        assertThat(c.stamp(90000 + 9000, 0).epochNanos()).isEqualTo(EPOCH_NANOS + 100 * MS);
        // a reconnect: the camera's clock now says an hour earlier
        c.newSession();
        assertThat(c.stamp(500, 1 * MS)).as("no report of the new session yet").isEqualTo(SourceClock.Stamp.NONE);
        c.acceptRtcp(senderReport(NTP_SECONDS - 3600, 0, 0));
        SourceClock.Stamp back = c.stamp(9000, 2 * MS);
        assertThat(back).isEqualTo(SourceClock.Stamp.NONE);
        assertThat(c.lastEvent()).isEqualTo(SourceClock.Event.STEPPED_BACK);
        assertThat(c.lastStepNanos()).isEqualTo(3600_000 * MS);
        assertThat(c.stamp(18000, 5_000 * MS)).as("still behind, within the reset time").isEqualTo(SourceClock.Stamp.NONE);
        assertThat(c.lastEvent()).isEqualTo(SourceClock.Event.NONE);
        SourceClock.Stamp reset = c.stamp(27000, (2 + SourceClock.RESET_AFTER_MILLIS) * MS);
        assertThat(reset.source()).isEqualTo(CaptureTimeSource.RTCP);
        assertThat(reset.reset()).isTrue();
        assertThat(reset.epochNanos()).isEqualTo(EPOCH_NANOS - 3600_000 * MS + 300 * MS);
        assertThat(c.lastEvent()).isEqualTo(SourceClock.Event.RESET);
        SourceClock.Stamp next = c.stamp(36000, (3 + SourceClock.RESET_AFTER_MILLIS) * MS);
        assertThat(next.reset()).isFalse();
        assertThat(next.epochNanos()).isGreaterThan(reset.epochNanos());
    }

    @Test
    void aSmallStepBackAfterANewReportIsWithheldUntilTimeCatchesUp() {
        SourceClock c = new SourceClock(90000);
        c.acceptRtcp(senderReport(NTP_SECONDS, 0, 0));
        long t1 = c.stamp(90000, 0).epochNanos(); // +1 s
        c.acceptRtcp(senderReport(NTP_SECONDS, 0, 18000)); // the camera's clock stepped back 200 ms
        assertThat(c.stamp(90000 + 9000, 1 * MS)).isEqualTo(SourceClock.Stamp.NONE); // 0.9 s: before t1
        SourceClock.Stamp later = c.stamp(18000 + 90000 + 9000, 2 * MS); // 1.1 s: after t1
        assertThat(later.source()).isEqualTo(CaptureTimeSource.RTCP);
        assertThat(later.reset()).isFalse();
        assertThat(later.epochNanos()).isGreaterThan(t1);
    }

    @Test
    void packetsThatAreNotSenderReportsAreIgnored() {
        SourceClock c = new SourceClock(90000);
        byte[] receiverReport = senderReport(NTP_SECONDS, 0, 0);
        receiverReport[1] = (byte) 201;
        assertThat(c.acceptRtcp(receiverReport)).isFalse();
        assertThat(c.acceptRtcp(new byte[] {1, 2, 3})).isFalse();
        assertThat(c.stamp(0, 0)).isEqualTo(SourceClock.Stamp.NONE);
    }
}
