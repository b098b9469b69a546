package io.framebus.manager.internal;

import java.util.concurrent.TimeUnit;

/**
 * Rung by the capture process's stdout pump once per burst of published frames; waiting readers block here
 * instead of polling the ring.
 */
final class Doorbell {
    private long rings;

    synchronized void ring() {
        rings++;
        notifyAll();
    }

    synchronized long rings() {
        return rings;
    }

    /** Waits until the bell rang after {@code seen} was read, or the timeout passed. */
    synchronized void await(long seen, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (rings == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
