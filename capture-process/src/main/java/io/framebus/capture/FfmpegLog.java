package io.framebus.capture;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.setLogCallback;

import io.framebus.contract.CaptureLogLine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.javacpp.BytePointer;

/**
 * FFmpeg's own log, tamed: only errors, prefixed with the camera id like every other line, masked, rate-limited,
 * and kept for the error classification of the current attempt (read failures come back from JavaCV as a plain
 * null; the log line is the only place that says why).
 *
 * <p>Left alone, FFmpeg prints warnings and info to stderr by itself, and a lossy stream can make the H.264
 * decoder print an error per damaged macroblock row, many per second. At most {@value #LINES_PER_WINDOW} lines
 * per {@value #WINDOW_MILLIS} ms are printed; the rest are counted and the count is reported.
 */
final class FfmpegLog extends LogCallback {
    static final int LINES_PER_WINDOW = 10;
    static final long WINDOW_MILLIS = 10_000;
    private static final int KEPT_LINES = 8;
    /** "[rtsp @ 0x55d0c1a2b3c0] " → "[rtsp] ": pointers mean nothing to a reader of the log. */
    private static final Pattern CONTEXT_POINTER = Pattern.compile(" @ 0x[0-9a-fA-F]+\\]");

    private final CaptureLog log;
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private long windowStartMillis;
    private int printedInWindow;
    private int suppressed;
    private volatile boolean echo = true;

    private FfmpegLog(CaptureLog log) {
        this.log = log;
    }

    /** Routes FFmpeg's log (errors only) to {@code log}; call once, after the natives are loaded. */
    static FfmpegLog install(CaptureLog log) {
        FfmpegLog callback = new FfmpegLog(log);
        // retained: FFmpeg keeps a native pointer to the callback for the life of the process
        callback.retainReference();
        av_log_set_level(AV_LOG_ERROR);
        setLogCallback(callback);
        return callback;
    }

    @Override
    public void call(int level, BytePointer msg) {
        if (level > AV_LOG_ERROR) {
            return;
        }
        String line = tidy(msg.getString());
        if (line.isEmpty()) {
            return;
        }
        accept(line);
    }

    synchronized void accept(String line) {
        recent.addLast(line);
        while (recent.size() > KEPT_LINES) {
            recent.removeFirst();
        }
        long now = System.currentTimeMillis();
        if (now - windowStartMillis >= WINDOW_MILLIS) {
            if (suppressed > 0) {
                log.warn("ffmpeg: %d more error lines in the last %d s not shown", suppressed, WINDOW_MILLIS / 1000);
            }
            windowStartMillis = now;
            printedInWindow = 0;
            suppressed = 0;
        }
        if (!echo) {
            return;
        }
        if (printedInWindow < LINES_PER_WINDOW) {
            printedInWindow++;
            log.log(CaptureLogLine.Level.WARN, "ffmpeg: " + line);
        } else {
            suppressed++;
        }
    }

    /** Whether lines are printed as they come (true) or only kept for {@link #recent()} (false). */
    void echo(boolean on) {
        echo = on;
    }

    /** Forgets the kept lines: a new attempt starts. */
    synchronized void clearRecent() {
        recent.clear();
    }

    /** The error lines since the last {@link #clearRecent()}, oldest first (at most a few). */
    synchronized List<String> recent() {
        return new ArrayList<>(recent);
    }

    static String tidy(String raw) {
        return CONTEXT_POINTER.matcher(raw).replaceAll("]").strip();
    }
}
