package io.framebus.capture;

import java.io.IOException;
import java.io.InputStream;

/**
 * Watches stdin after the settings: its end means the parent is gone (exited, crashed, or was killed with -9:
 * the kernel closes the pipe in every case), and the capture process must not outlive it. Anything the parent
 * writes after the settings is read and ignored (reserved for future commands).
 */
final class ParentWatch {
    private ParentWatch() {
    }

    /** Starts a daemon thread that runs {@code onEnd} once stdin ends (or fails). */
    static Thread start(InputStream stdin, Runnable onEnd) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                while (stdin.read(buf) >= 0) {
                    // ignored: see class comment
                }
            } catch (IOException e) {
                // a broken stdin is as good as a closed one
            }
            onEnd.run();
        }, "parent-watch");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
