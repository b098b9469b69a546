package io.framebus.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a camera's health, as shown by the shell commands and the status page.
 *
 * @param cameraId        the camera
 * @param state           what it is doing
 * @param live            true when the source is streaming and its newest frame is recent (younger than the
 *                        stall timeout): only then is {@code latest()} a current picture
 * @param lastError       the most recent error text (passwords masked), empty when there was none
 * @param pid             the capture process id, or -1 when none runs
 * @param restarts        how often the capture process was restarted
 * @param decodedFrames   frames decoded by the current capture process
 * @param publishedFrames frames published to the ring by the current capture process
 * @param droppedFrames   decoded frames not published (fps cap) by the current capture process
 * @param reconnects      stream reconnects inside the current capture process
 * @param fps             published frames per second over the last 10 seconds
 * @param latestFrameAge  age of the newest frame, or {@code null} when there is none
 * @param rssBytes        resident memory of the capture process, or -1 when unknown
 * @param cpuPercent      CPU of the capture process over the last interval, in percent of one core, or -1
 * @param late            true while the source is {@link SourceState#STREAMING} but its newest frame is overdue:
 *                        older than two frame intervals (at the rate the camera publishes) plus 250 ms. It says at
 *                        once that frames stopped coming, long before the stall timeout makes the watchdog act;
 *                        {@code live} keeps its meaning (newest frame younger than the stall timeout)
 * @param latestFrame     what the newest frame says about itself (its times, including the camera's own capture
 *                        time where the source gives one), or {@code null} when there is none
 * @param runsOn          the cluster host that runs the camera when it is {@link SourceState#ELSEWHERE}; in a
 *                        cluster, this host's name while it runs the camera here; empty on a single host
 * @since 1.2 ({@code late}, {@code latestFrame}, {@code runsOn})
 */
public record SourceStatus(String cameraId, SourceState state, boolean live, String lastError, long pid,
                           long restarts, long decodedFrames, long publishedFrames, long droppedFrames,
                           long reconnects, double fps, Duration latestFrameAge, long rssBytes, double cpuPercent,
                           boolean late, FrameInfo latestFrame, String runsOn) {

    public SourceStatus {
        Objects.requireNonNull(cameraId, "cameraId");
        Objects.requireNonNull(state, "state");
        lastError = lastError == null ? "" : lastError;
        runsOn = runsOn == null ? "" : runsOn;
    }

    /** A status without a cluster host. */
    public SourceStatus(String cameraId, SourceState state, boolean live, String lastError, long pid,
                        long restarts, long decodedFrames, long publishedFrames, long droppedFrames,
                        long reconnects, double fps, Duration latestFrameAge, long rssBytes, double cpuPercent,
                        boolean late, FrameInfo latestFrame) {
        this(cameraId, state, live, lastError, pid, restarts, decodedFrames, publishedFrames, droppedFrames, reconnects,
                fps, latestFrameAge, rssBytes, cpuPercent, late, latestFrame, "");
    }

    /** The same status, run by {@code host} (cluster). */
    public SourceStatus withRunsOn(String host) {
        return new SourceStatus(cameraId, state, live, lastError, pid, restarts, decodedFrames, publishedFrames,
                droppedFrames, reconnects, fps, latestFrameAge, rssBytes, cpuPercent, late, latestFrame, host);
    }

    /** A status that is not {@link #late()}: the constructor of API 1.1, kept for compatibility. */
    public SourceStatus(String cameraId, SourceState state, boolean live, String lastError, long pid,
                        long restarts, long decodedFrames, long publishedFrames, long droppedFrames,
                        long reconnects, double fps, Duration latestFrameAge, long rssBytes, double cpuPercent) {
        this(cameraId, state, live, lastError, pid, restarts, decodedFrames, publishedFrames, droppedFrames,
                reconnects, fps, latestFrameAge, rssBytes, cpuPercent, false, null, "");
    }

    /** The newest frame's information, if there is a frame. */
    public Optional<FrameInfo> latestFrameIfAny() {
        return Optional.ofNullable(latestFrame);
    }

    /** Age of the newest frame, if there is one. */
    public Optional<Duration> latestFrameAgeIfAny() {
        return Optional.ofNullable(latestFrameAge);
    }
}
