package io.framebus.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives frames pushed by {@link FrameSource#subscribe(FrameListener, java.util.concurrent.Executor)}.
 *
 * <p>A listener that is slower than the camera is not queued up: it gets the newest frame when it is ready
 * again, and frames it could not take in time are skipped (their sequence numbers show the gap). An exception
 * thrown by a listener is logged and affects no other listener.
 */
@ConsumerType
@FunctionalInterface
public interface FrameListener {
    /** A new frame; the listener owns it. */
    void onFrame(Frame frame);
}
