package io.framebus.capture;

import java.io.PrintStream;

/**
 * The capture process's log: one line per event on stderr, prefixed with the camera id, every URL password masked.
 * The manager forwards these lines to the OSGi log; stdout is reserved for the doorbell.
 */
final class CaptureLog {
    private final String prefix;
    private final UrlMasker masker;
    private final PrintStream err;

    CaptureLog(String cameraId, UrlMasker masker, PrintStream err) {
        this.prefix = "[" + cameraId + "] ";
        this.masker = masker;
        this.err = err;
    }

    void info(String message) {
        // one println per line: PrintStream locks per call, so lines of different threads never interleave
        err.println(prefix + masker.mask(message));
    }

    void info(String format, Object... args) {
        info(String.format(java.util.Locale.ROOT, format, args));
    }

    UrlMasker masker() {
        return masker;
    }
}
