package io.framebus.contract;

/**
 * How a capture process ended, from its exit status: the program exits with {@link #code()} of one of these, and
 * the supervisor decodes the status with {@link #of(int)}. A {@link #permanent()} end means that starting the same
 * settings again cannot help (they are invalid, or FFmpeg cannot load): the supervisor reports it and does not
 * restart in a loop; any other end is transient and restarted with backoff.
 */
public enum CaptureExit {
    /** Stopped because stdin ended (the parent closed it or died). */
    STOPPED(0, false, "stopped"),
    /** An unexpected internal error; the ring shows FAILED / INTERNAL. Restarting may help. */
    INTERNAL_ERROR(1, false, "internal error"),
    /** The settings document was invalid: no ring file was created. Permanent. */
    INVALID_SETTINGS(2, true, "invalid settings"),
    /** The ring file could not be created (no space, permissions). Transient: space may come back. */
    RING_UNAVAILABLE(3, false, "the ring file could not be created"),
    /** FFmpeg's native libraries could not be loaded. Permanent until the installation is repaired. */
    FFMPEG_UNAVAILABLE(4, true, "FFmpeg's native libraries could not be loaded"),
    /** The capture program could not be started at all (no java, no capture program). Permanent. */
    NOT_STARTED(-2, true, "the capture process could not be started"),
    /** Ended by a signal (128 + its number as the JVM reports it: 137 for kill -9, 143 for SIGTERM) or by an exit
     * status this contract does not define, such as a JVM crash. Transient. */
    OTHER(-1, false, "exited");

    private final int code;
    private final boolean permanent;
    private final String meaning;

    CaptureExit(int code, boolean permanent, String meaning) {
        this.code = code;
        this.permanent = permanent;
        this.meaning = meaning;
    }

    /**
     * The exit status the capture program uses; negative for the ends that are not an exit status of its own
     * ({@link #NOT_STARTED} is what the manager reports when there was no process to exit).
     */
    public int code() {
        return code;
    }

    /** Whether starting the process again with the same settings and installation cannot help. */
    public boolean permanent() {
        return permanent;
    }

    /** The end of an exit status. */
    public static CaptureExit of(int status) {
        for (CaptureExit e : values()) {
            if (e != OTHER && e.code == status) {
                return e;
            }
        }
        return OTHER;
    }

    /** Words for a status line, e.g. "exited with 137 (killed by signal 9)". */
    public static String describe(int status) {
        CaptureExit e = of(status);
        if (e != OTHER) {
            return e.meaning + " (exit code " + status + ")";
        }
        if (status > 128 && status < 128 + 65) {
            return "exited with " + status + " (killed by signal " + (status - 128) + ")";
        }
        return "exited with code " + status;
    }
}
