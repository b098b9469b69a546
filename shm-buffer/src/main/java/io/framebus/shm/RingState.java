package io.framebus.shm;

/** The capture state a writer publishes in the ring header. Codes are part of the file format. */
public enum RingState {
    STARTING(1), CONNECTING(2), STREAMING(3), RECONNECTING(4), STOPPED(5), FAILED(6);

    private final int code;

    RingState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The state with this code; unknown codes (a newer writer) read as {@link #STARTING}. */
    public static RingState fromCode(int code) {
        for (RingState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return STARTING;
    }
}
