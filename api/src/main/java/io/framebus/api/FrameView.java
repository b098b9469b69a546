package io.framebus.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A frame read in place, in shared memory, without a copy ({@link FrameViewListener}).
 *
 * <p>The rules, the same as a seqlock reader's ({@code StampedLock.tryOptimisticRead}/{@code validate}):
 * <ul>
 *   <li>{@link #pixels()} may be read only during the {@link FrameViewListener#onFrame} call that received this
 *       view: keep no reference to the view or the buffer afterwards.</li>
 *   <li>The camera overwrites the slot when its ring wraps around, possibly while the consumer reads it. Anything
 *       computed from the pixels counts only if {@link #intact()} returns true <em>after</em> the reading: then
 *       not one byte read was overwritten. If it returns false, discard the result (a later frame will come).</li>
 * </ul>
 */
@ProviderType
public interface FrameView {
    /** The frame's metadata (a plain value: it stays right after the call, as the frame's description). */
    FrameInfo info();

    /** A read-only view of {@code info().format().frameBytes()} bytes, positioned at 0. */
    ByteBuffer pixels();

    /**
     * Whether the frame is still the one {@link #info()} describes: true means every byte read from
     * {@link #pixels()} so far was this frame's. Cheap (one memory load after a fence); call it once, after reading.
     */
    boolean intact();
}
