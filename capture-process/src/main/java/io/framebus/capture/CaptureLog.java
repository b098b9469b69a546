package io.framebus.capture;

import io.framebus.contract.CaptureLogLine;
import io.framebus.contract.CaptureLogLine.Level;
import io.framebus.contract.SecretMasker;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The capture process's log: one {@link CaptureLogLine} per event on stderr ({@code [camera] LEVEL message}), every
 * URL password masked. The manager forwards these lines to the OSGi log at their level; stdout is the doorbell's.
 */
final class CaptureLog {
    private final String cameraId;
    private final SecretMasker masker;
    private final PrintStream err;

    CaptureLog(String cameraId, SecretMasker masker, PrintStream err) {
        this.cameraId = cameraId;
        this.masker = masker;
        this.err = err;
    }

    void log(Level level, String message) {
        // one println per line: PrintStream locks per call, so lines of different threads never interleave
        err.println(CaptureLogLine.format(cameraId, level, masker.mask(message).replace('\n', ' ')));
    }

    void error(String format, Object... args) {
        log(Level.ERROR, String.format(Locale.ROOT, format, args));
    }

    void warn(String format, Object... args) {
        log(Level.WARN, String.format(Locale.ROOT, format, args));
    }

    void info(String format, Object... args) {
        log(Level.INFO, String.format(Locale.ROOT, format, args));
    }

    SecretMasker masker() {
        return masker;
    }
}
