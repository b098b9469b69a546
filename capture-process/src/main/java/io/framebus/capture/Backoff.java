package io.framebus.capture;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Delays between reconnect attempts: capped exponential backoff with jitter.
 *
 * <p>Attempt n waits about {@code min(max, base * 2^n)}, minus a random quarter of it, so that cameras behind one
 * rebooting switch do not reconnect in lock step. Errors that retrying cannot fix (bad credentials, wrong path)
 * wait the maximum every time: they are still retried, since someone may fix the camera, but slowly.
 */
final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private final DoubleSupplier random;
    private int attempt;

    Backoff(long baseMillis, long maxMillis) {
        this(baseMillis, maxMillis, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random values in [0, 1) */
    Backoff(long baseMillis, long maxMillis, DoubleSupplier random) {
        if (baseMillis <= 0 || maxMillis < baseMillis) {
            throw new IllegalArgumentException("need 0 < base <= max, got " + baseMillis + ", " + maxMillis);
        }
        this.baseMillis = baseMillis;
        this.maxMillis = maxMillis;
        this.random = random;
    }

    /** The delay before the next attempt; each call counts one attempt. */
    long nextDelayMillis(boolean permanentError) {
        long nominal = permanentError ? maxMillis : nominal(attempt);
        if (attempt < Integer.MAX_VALUE) {
            attempt++;
        }
        long jitter = (long) (random.getAsDouble() * (nominal / 4.0));
        return Math.max(1, nominal - jitter);
    }

    /** Back to the base delay, after the stream ran long enough to call it recovered. */
    void reset() {
        attempt = 0;
    }

    private long nominal(int n) {
        if (n >= 62 || baseMillis > (maxMillis >> Math.min(n, 62))) {
            return maxMillis;
        }
        return Math.min(maxMillis, baseMillis << n);
    }
}
