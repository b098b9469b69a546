package io.framebus.api;

import org.osgi.annotation.versioning.ProviderType;

/** A running push delivery; close it to stop. */
@ProviderType
public interface Subscription extends AutoCloseable {
    /** Stops delivery. No frame is delivered after this returns, except one already being delivered. Idempotent. */
    @Override
    void close();

    /** Frames this subscription skipped because the listener was still busy with an earlier one. */
    long skippedFrames();

    /**
     * In-place subscriptions ({@link FrameSource#subscribeInPlace}): frames that the camera overwrote while the
     * listener read them, so that {@link FrameView#intact()} said false. 0 for copying subscriptions.
     *
     * @since 1.2
     */
    default long tornFrames() {
        return 0;
    }
}
