package io.framebus.api;

/**
 * Where a frame's {@link FrameInfo#sourceCaptureEpochNanos() source capture time} came from.
 *
 * @since 1.2
 */
public enum CaptureTimeSource {
    /** The source gave no capture time for this frame (or one framebus did not trust: see {@link FrameInfo}). */
    NONE(0),
    /**
     * The camera's own clock: the frame's RTP timestamp mapped to the camera's wall clock (NTP) by the newest RTCP
     * sender report before it.
     */
    RTCP(1);

    private final int code;

    CaptureTimeSource(int code) {
        this.code = code;
    }

    /** The code in the ring slot (docs/shm-format.md). */
    public int code() {
        return code;
    }

    /** The source of this code; unknown codes (a newer writer) read as {@link #NONE}. */
    public static CaptureTimeSource fromCode(int code) {
        for (CaptureTimeSource s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return NONE;
    }
}
