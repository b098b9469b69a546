package io.framebus.api;

/** What a camera is doing, as a user would describe it. */
public enum SourceState {
    /** The capture process is starting up. */
    STARTING,
    /** Opening the stream for the first time. */
    CONNECTING,
    /** Frames are arriving. */
    STREAMING,
    /** The stream failed; the capture process is reconnecting with backoff. */
    RECONNECTING,
    /** The capture process stopped making progress (hung or frozen); the watchdog is about to restart it. */
    STALLED,
    /** The capture process is being restarted (after a crash, a stall or on demand). */
    RESTARTING,
    /** Restarted too often within the restart window, or an error retrying cannot fix; still retried, slowly. */
    FAILED,
    /** The configuration is invalid; nothing runs until it is fixed. {@link SourceStatus#lastError()} says why. */
    INVALID,
    /** Stopped on purpose (disabled or being removed). */
    STOPPED,
    /**
     * Runs on another host of the cluster ({@link SourceStatus#runsOn()} names it); this host has no capture
     * process and no FrameSource for it.
     */
    ELSEWHERE,
    /**
     * Configured, but the cluster found no host that may run it (constraints, every host full, or configurations
     * that differ between hosts); {@link SourceStatus#lastError()} says why.
     */
    UNPLACED;

    /** Whether frames from a source in this state can be current. */
    public boolean delivering() {
        return this == STREAMING;
    }
}
