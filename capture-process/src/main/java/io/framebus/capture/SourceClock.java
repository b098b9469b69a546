package io.framebus.capture;

import io.framebus.api.CaptureTimeSource;
import java.util.concurrent.TimeUnit;

/**
 * The camera's own capture time of each frame, from RTCP sender reports, and the rule that it never goes back.
 *
 * <p>A sender report maps one RTP timestamp of the stream to the camera's wall clock (NTP). A frame's capture time is
 * that NTP time plus the RTP time between the report's timestamp and the frame's (a signed 32-bit difference, so it
 * works on both sides of the report and across the 32-bit wrap). Before the first report there is no capture time.
 *
 * <p>Time that steps backwards (a reconnect to a camera whose clock was set back, a new session with another
 * mapping) is never passed on: a frame whose source time is not after the last one given gets none
 * ({@link CaptureTimeSource#NONE}), and the step is reported once. If the source's time has not caught up after
 * {@value #RESET_AFTER_MILLIS} ms, its clock was really reset: the new time line is taken, and its first frame is
 * marked as a reset so no consumer compares it with earlier frames.
 */
final class SourceClock {
    static final long RESET_AFTER_MILLIS = 10_000;
    /** NTP's epoch (1900) to the Unix epoch (1970), seconds. */
    static final long NTP_UNIX_OFFSET_SECONDS = 2_208_988_800L;

    /** One frame's source time: nanos since the epoch, where it came from, and whether it starts a new time line. */
    record Stamp(long epochNanos, CaptureTimeSource source, boolean reset) {
        static final Stamp NONE = new Stamp(0, CaptureTimeSource.NONE, false);
    }

    /** What happened to the last frame, for the log: nothing, a step back withheld, a reset taken. */
    enum Event { NONE, STEPPED_BACK, RESET }

    private final int clockRate;
    private boolean haveReport;
    private long reportNtpEpochNanos;
    private long reportRtp32;
    private long lastGivenNanos = Long.MIN_VALUE;
    private long withheldSinceMonoNanos;
    private Event lastEvent = Event.NONE;
    private long lastStepNanos;

    SourceClock(int clockRate) {
        this.clockRate = clockRate > 0 ? clockRate : 90000;
    }

    /**
     * Takes an RTCP compound packet; uses its sender report (packet type 200), if any.
     *
     * @return whether it held a sender report
     */
    boolean acceptRtcp(byte[] p) {
        int at = 0;
        while (at + 4 <= p.length) {
            int type = p[at + 1] & 0xFF;
            int words = ((p[at + 2] & 0xFF) << 8) | (p[at + 3] & 0xFF);
            int end = at + 4 * (words + 1);
            if ((p[at] & 0xC0) != 0x80 || end > p.length) {
                return false;
            }
            if (type == 200 && end - at >= 28) {
                long ntpSeconds = u32(p, at + 8);
                long ntpFraction = u32(p, at + 12);
                reportRtp32 = u32(p, at + 16);
                reportNtpEpochNanos = (ntpSeconds - NTP_UNIX_OFFSET_SECONDS) * 1_000_000_000L
                        + ((ntpFraction * 1_000_000_000L) >>> 32);
                haveReport = true;
                return true;
            }
            at = end;
        }
        return false;
    }

    /** The source time of a frame with this RTP timestamp (any width: its low 32 bits count). */
    Stamp stamp(long rtpTimestamp, long nowMonoNanos) {
        lastEvent = Event.NONE;
        if (!haveReport) {
            return Stamp.NONE;
        }
        int delta = (int) ((rtpTimestamp & 0xFFFFFFFFL) - reportRtp32);
        long nanos = reportNtpEpochNanos + delta * 1_000_000_000L / clockRate;
        if (lastGivenNanos == Long.MIN_VALUE || nanos > lastGivenNanos) {
            lastGivenNanos = nanos;
            withheldSinceMonoNanos = 0;
            return new Stamp(nanos, CaptureTimeSource.RTCP, false);
        }
        if (withheldSinceMonoNanos == 0) {
            withheldSinceMonoNanos = nowMonoNanos;
            lastEvent = Event.STEPPED_BACK;
            lastStepNanos = lastGivenNanos - nanos;
            return Stamp.NONE;
        }
        if (nowMonoNanos - withheldSinceMonoNanos < TimeUnit.MILLISECONDS.toNanos(RESET_AFTER_MILLIS)) {
            return Stamp.NONE;
        }
        lastEvent = Event.RESET;
        lastStepNanos = lastGivenNanos - nanos;
        lastGivenNanos = nanos;
        withheldSinceMonoNanos = 0;
        return new Stamp(nanos, CaptureTimeSource.RTCP, true);
    }

    /** What the last {@link #stamp} call did. */
    Event lastEvent() {
        return lastEvent;
    }

    /** How far back the source's time stepped, at the last event. */
    long lastStepNanos() {
        return lastStepNanos;
    }

    /** Forgets the sender report (a new session maps its RTP timestamps anew); keeps the no-going-back rule. */
    void newSession() {
        haveReport = false;
    }

    private static long u32(byte[] p, int at) {
        return ((p[at] & 0xFFL) << 24) | ((p[at + 1] & 0xFFL) << 16) | ((p[at + 2] & 0xFFL) << 8) | (p[at + 3] & 0xFFL);
    }
}
