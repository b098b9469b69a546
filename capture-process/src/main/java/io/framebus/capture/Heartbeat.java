package io.framebus.capture;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Beats the ring's heartbeat every period, but only while the capture loop keeps its {@link LoopProgress}
 * promise: the heartbeat proves that frames can still come, not merely that the JVM is alive. When the loop is
 * overdue (stuck in native code beyond its timeouts) the beats stop, which is what the watchdog looks for; the
 * stall is logged once, and its end too.
 */
final class Heartbeat implements AutoCloseable {
    private final CaptureOutputs ring;
    private final LoopProgress progress;
    private final CaptureLog log;
    private final long periodNanos;
    private final Thread thread;
    private volatile boolean stopped;

    Heartbeat(CaptureOutputs ring, LoopProgress progress, CaptureLog log, long periodMillis) {
        this.ring = ring;
        this.progress = progress;
        this.log = log;
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
        this.thread = new Thread(this::run, "heartbeat");
        thread.setDaemon(true);
    }

    Heartbeat start() {
        thread.start();
        return this;
    }

    private void run() {
        boolean stalled = false;
        while (!stopped) {
            long now = System.nanoTime();
            if (progress.onTime(now)) {
                ring.heartbeat();
                if (stalled) {
                    log.info("capture loop is making progress again: heartbeat resumed");
                    stalled = false;
                }
            } else if (!stalled) {
                stalled = true;
                log.warn("capture loop overdue by %d ms (stuck beyond its timeouts?): heartbeat held back",
                        TimeUnit.NANOSECONDS.toMillis(progress.overdueNanos(now)));
            }
            LockSupport.parkNanos(periodNanos);
        }
    }

    @Override
    public void close() {
        stopped = true;
        LockSupport.unpark(thread);
    }
}
