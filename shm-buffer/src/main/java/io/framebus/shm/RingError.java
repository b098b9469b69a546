package io.framebus.shm;

/**
 * Classes of capture errors, published in the ring header next to the error text. Codes are part of the
 * file format. {@link #permanent()} errors are ones retrying cannot fix without a change somewhere else
 * (credentials, path, configuration): capture retries them slowly, never in a tight loop.
 */
public enum RingError {
    NONE(0, false),
    /** Connection refused, host unreachable, name not resolved. */
    CONNECT(1, false),
    /** No answer or no data within the configured timeout. */
    TIMEOUT(2, false),
    /** The source refused the credentials (RTSP/HTTP 401 or 403). */
    AUTH(3, true),
    /** The source does not know the path (RTSP/HTTP 404), or a file does not exist. */
    NOT_FOUND(4, true),
    /** Unsupported scheme, not a video, a codec FFmpeg cannot decode. */
    UNSUPPORTED(5, true),
    /** The stream broke or ended, or could not be decoded. */
    STREAM(6, false),
    /** The capture settings are invalid. */
    CONFIG(7, true),
    /** A bug or resource problem inside the capture process. */
    INTERNAL(8, false);

    private final int code;
    private final boolean permanent;

    RingError(int code, boolean permanent) {
        this.code = code;
        this.permanent = permanent;
    }

    public int code() {
        return code;
    }

    public boolean permanent() {
        return permanent;
    }

    /** The error with this code; unknown codes (a newer writer) read as {@link #INTERNAL}. */
    public static RingError fromCode(int code) {
        for (RingError e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return INTERNAL;
    }
}
