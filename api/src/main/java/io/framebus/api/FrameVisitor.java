package io.framebus.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Reads a frame in place, without a copy ({@link FrameSource#readLatest(FrameVisitor)}).
 *
 * <p>The buffer is a read-only view of shared memory that the camera will overwrite once the ring wraps
 * around. Use it only during {@link #visit}, keep no reference to it, and trust what you computed only when
 * {@code readLatest} returns {@code true}: it validates after the visit that the frame was not overwritten
 * meanwhile.
 */
@ConsumerType
@FunctionalInterface
public interface FrameVisitor {
    /**
     * @param info   the frame's metadata
     * @param pixels read-only view of {@code info.format().frameBytes()} bytes, positioned at 0
     */
    void visit(FrameInfo info, ByteBuffer pixels);
}
