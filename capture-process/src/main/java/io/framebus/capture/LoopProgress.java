package io.framebus.capture;

/**
 * The capture loop's promise of when it will next show progress; the heartbeat beats only while that promise holds.
 *
 * <p>The loop renews the promise before every step that may take time, with that step's own bound: before a
 * {@code grab()} the read timeout FFmpeg was given, before opening a source the connect and read timeouts, before a
 * backoff wait the wait itself. So a loop that waits on purpose (a reconnect delay of 30 s) keeps the heartbeat
 * going, while a loop stuck in native code beyond every timeout it configured stops it, and the watchdog outside
 * the process sees a stalled capture and restarts it.
 */
final class LoopProgress {
    /** Slack on every promise: JVM pauses, a busy machine, FFmpeg finishing a packet after its timeout fired. */
    static final long GRACE_NANOS = 1_000_000_000L;

    private volatile long deadlineNanos = System.nanoTime() + GRACE_NANOS;

    /** The loop promises to come back within {@code nanos} (plus {@link #GRACE_NANOS}). */
    void expectWithin(long nanos) {
        deadlineNanos = System.nanoTime() + Math.max(0, nanos) + GRACE_NANOS;
    }

    /** Whether the loop's last promise still holds at {@code nowNanos}. */
    boolean onTime(long nowNanos) {
        return nowNanos - deadlineNanos <= 0;
    }

    /** How long the loop is overdue at {@code nowNanos}, 0 when on time. */
    long overdueNanos(long nowNanos) {
        return Math.max(0, nowNanos - deadlineNanos);
    }
}
