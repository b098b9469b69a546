package io.framebus.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives frames pushed in place by {@link FrameSource#subscribeInPlace}: no copy per frame, for a consumer
 * that reads the pixels once (a detector, a histogram, an encoder) and keeps none of them.
 *
 * <p>Like {@link FrameListener}, a listener slower than the camera gets the newest frame when it is ready again,
 * never a backlog. Read the {@link FrameView} only during the call and trust the result only if
 * {@link FrameView#intact()} says so afterwards. A consumer that keeps frames uses
 * {@link FrameSource#subscribe} instead, which hands it a copy of its own.
 */
@ConsumerType
@FunctionalInterface
public interface FrameViewListener {
    /** A new frame, valid only during this call. */
    void onFrame(FrameView view);
}
