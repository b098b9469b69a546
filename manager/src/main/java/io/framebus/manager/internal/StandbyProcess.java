package io.framebus.manager.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One capture JVM started ahead of need: it has loaded its classes and FFmpeg's native libraries and waits on stdin
 * for the settings of whichever camera starts or restarts next. A restart after a crash then skips the JVM start
 * and the native loading (0.6 s of the 1 s to the first frame on an idle machine, and most of it on a saturated one,
 * docs/benchmarks.md), and a new one is started in the background for the next time.
 *
 * <p>The standby holds no ring and no camera; if the runtime dies its stdin ends and it exits, like every capture
 * process. It is used only by a camera whose JVM options are exactly the standby's (no per-camera options).
 */
final class StandbyProcess {
    /** Marks the standby on its command line, where a camera process has {@code -Dframebus.camera=<id>}. */
    static final String MARKER = "-Dframebus.standby=true";

    private final Process process;
    private final List<String> jvmArgs;

    private StandbyProcess(Process process, List<String> jvmArgs) {
        this.process = process;
        this.jvmArgs = jvmArgs;
    }

    static StandbyProcess start(Path java, List<String> jvmArgs, Path captureHome) throws IOException {
        return new StandbyProcess(CaptureProcess.launch(java, jvmArgs, MARKER, captureHome), List.copyOf(jvmArgs));
    }

    /** Whether a camera started with {@code args} may use this process. */
    boolean fits(List<String> args) {
        return process.isAlive() && jvmArgs.equals(args);
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    /** Ends an unused standby: closing stdin ends it (no settings); a kill if it has not gone within a second. */
    void stop() {
        try {
            process.getOutputStream().close();
        } catch (IOException alreadyGone) {
            // nothing to do
        }
        try {
            if (!process.waitFor(1, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
