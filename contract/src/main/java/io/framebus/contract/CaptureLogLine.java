package io.framebus.contract;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of a capture process's log on stderr: {@code [cameraId] LEVEL message}. The capture process writes
 * lines with {@link #format}; the manager reads them with {@link #parse} and logs each at its level instead of
 * guessing the level from the words. A line that does not follow the format (the JVM's own crash report, a native
 * library printing) is kept whole at {@link Level#WARN}: something outside our code spoke.
 *
 * @param cameraId the camera, or {@code capture} before the settings named one
 * @param level    the line's level
 * @param message  the text, already masked by the writer
 */
public record CaptureLogLine(String cameraId, Level level, String message) {
    /** Levels, as in the OSGi log: the manager maps each to its logger's method of the same name. */
    public enum Level { ERROR, WARN, INFO, DEBUG }

    /** The prefix of lines written before a camera id is known (bad or missing settings). */
    public static final String NO_CAMERA = "capture";

    private static final Pattern LINE = Pattern.compile("\\[([A-Za-z0-9._-]{1,64})\\] (ERROR|WARN|INFO|DEBUG) (.*)",
            Pattern.DOTALL);

    /** The line for stderr, without its line end. */
    public static String format(String cameraId, Level level, String message) {
        return "[" + cameraId + "] " + level.name() + " " + message;
    }

    /** Reads a line; {@code fallbackCameraId} names lines that do not follow the format. */
    public static CaptureLogLine parse(String line, String fallbackCameraId) {
        Matcher m = LINE.matcher(line);
        if (m.matches()) {
            return new CaptureLogLine(m.group(1), Level.valueOf(m.group(2)), m.group(3));
        }
        return new CaptureLogLine(fallbackCameraId, Level.WARN, line);
    }

    @Override
    public String toString() {
        return format(cameraId, level, message);
    }
}
