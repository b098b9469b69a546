package io.framebus.capture;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Delays between reconnect attempts: capped exponential backoff with jitter, kept short while an outage is young.
 *
 * <p>Attempt n waits about {@code min(max, base * 2^n)}, minus a random quarter of it, so that cameras behind one
 * rebooting switch do not reconnect in lock step. Errors that retrying cannot fix (bad credentials, wrong path)
 * wait the maximum every time: they are still retried, since someone may fix the camera, but slowly.
 */
final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private final DoubleSupplier random;
    /** How long an outage counts as young: retried about every second. */
    static final long YOUNG_OUTAGE_MILLIS = 30_000;
    /** The longest delay between attempts while an outage is young. */
    static final long YOUNG_RETRY_MILLIS = 1_000;

    private int attempt;
    private int oldAttempt;

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
        return jittered(nominal);
    }

    /**
     * The delay before the next attempt of an outage that began {@code outageMillis} ago. While the outage is young
     * (under {@value #YOUNG_OUTAGE_MILLIS} ms) the delay grows to at most {@value #YOUNG_RETRY_MILLIS} ms (or the
     * base delay, when that is larger): a camera that comes back after a short outage (a reboot, a switch, a
     * recorder restart) streams again within about a second, as go2rtc does. After that it doubles from there up to
     * the maximum. The host-wide {@link ConnectThrottle} keeps many cameras retrying at once from storming.
     */
    long nextDelayMillis(boolean permanentError, long outageMillis) {
        if (permanentError) {
            return nextDelayMillis(true);
        }
        long youngCap = Math.min(maxMillis, Math.max(baseMillis, YOUNG_RETRY_MILLIS));
        long nominal;
        if (outageMillis < YOUNG_OUTAGE_MILLIS) {
            nominal = Math.min(youngCap, nominal(attempt));
        } else {
            oldAttempt = Math.min(oldAttempt + 1, 62);
            nominal = youngCap > (maxMillis >> oldAttempt) ? maxMillis : Math.min(maxMillis, youngCap << oldAttempt);
        }
        if (attempt < Integer.MAX_VALUE) {
            attempt++;
        }
        return jittered(nominal);
    }

    /** Back to the base delay, after the stream ran long enough to call it recovered. */
    void reset() {
        attempt = 0;
        oldAttempt = 0;
    }

    private long jittered(long nominal) {
        long jitter = (long) (random.getAsDouble() * (nominal / 4.0));
        return Math.max(1, nominal - jitter);
    }

    private long nominal(int n) {
        if (n >= 62 || baseMillis > (maxMillis >> Math.min(n, 62))) {
            return maxMillis;
        }
        return Math.min(maxMillis, baseMillis << n);
    }
}
