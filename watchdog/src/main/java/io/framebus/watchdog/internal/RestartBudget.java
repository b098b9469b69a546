package io.framebus.watchdog.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Restart pacing for one camera, the supervisor semantics of Erlang/OTP and systemd: capped exponential backoff
 * with jitter between restarts, reset after a stable run; more than {@code maxRestarts} within the window means
 * FAILED, which is still retried, slowly. Times are monotonic nanoseconds supplied by the caller (testable).
 */
final class RestartBudget {
    private final Deque<Long> restarts = new ArrayDeque<>();
    private int consecutive;
    private long healthySince = -1;

    void recordRestart(long nowNanos) {
        restarts.addLast(nowNanos);
        consecutive++;
        healthySince = -1;
    }

    /** The camera looked healthy at {@code nowNanos}; a long enough healthy stretch resets the backoff. */
    void healthy(long nowNanos, long stableRunNanos) {
        if (healthySince < 0) {
            healthySince = nowNanos;
        } else if (nowNanos - healthySince >= stableRunNanos) {
            consecutive = 0;
        }
    }

    int restartsWithin(long nowNanos, long windowNanos) {
        while (!restarts.isEmpty() && nowNanos - restarts.peekFirst() > windowNanos) {
            restarts.removeFirst();
        }
        return restarts.size();
    }

    boolean exhausted(long nowNanos, long windowNanos, int maxRestarts) {
        return restartsWithin(nowNanos, windowNanos) >= maxRestarts;
    }

    /** Delay before the next restart: base x 2^consecutive, capped, +-20 % jitter so cameras do not restart in step. */
    long nextDelayNanos(long baseNanos, long maxNanos) {
        long delay = baseNanos << Math.min(consecutive, 30);
        if (delay <= 0 || delay > maxNanos) {
            delay = maxNanos;
        }
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return (long) (delay * jitter);
    }

    int consecutive() {
        return consecutive;
    }
}
