package io.framebus.shm;

import io.framebus.api.FrameFormat;
import java.time.Duration;

/**
 * A snapshot of a ring's header: who writes it, what state the capture is in, its counters and last error.
 *
 * @param heartbeatNanos the writer's last heartbeat on the host's monotonic clock ({@link System#nanoTime()})
 * @param sourceFpsMilli the source's frame rate times 1000, 0 when unknown
 */
public record RingStatus(String cameraId, long generation, FrameFormat format, RingState state, boolean closed,
                         boolean replaced, RingError errorCode, String errorText, long heartbeatNanos,
                         long publishedSequence, long decodedFrames, long droppedFrames, long reconnects,
                         long writerPid, long writerStartMillis, int sourceWidth, int sourceHeight,
                         int sourceFpsMilli) {

    /** Time since the writer's last heartbeat. */
    public Duration heartbeatAge() {
        return Duration.ofNanos(Math.max(0, System.nanoTime() - heartbeatNanos));
    }
}
