package io.framebus.manager.internal;

import io.framebus.api.Frame;
import io.framebus.api.FrameInfo;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The frame copies of one camera, reused once their consumers have closed them.
 *
 * <p>Without it every delivered frame is a new heap array of the frame's size (2.7 MB at 720p BGR24): at 16 cameras
 * and 6 fps that is 265 MB/s of garbage, and in G1 each such array is a humongous allocation. The end-to-end
 * benchmark measured it as the runtime's largest cost, its RSS growth and its longest pauses (docs/benchmarks.md).
 * A consumer that never closes its frames costs what it did before: the pool is then empty and each copy is a new
 * array. Keeps at most {@link #MAX_IDLE} idle buffers, all of the current frame size.
 */
final class FramePool {
    /** Idle buffers kept: one being filled and one being read cover a consumer that keeps up. */
    static final int MAX_IDLE = 3;

    private final ArrayDeque<ByteBuffer> idle = new ArrayDeque<>();
    private final AtomicLong allocations = new AtomicLong();
    private final AtomicLong reuses = new AtomicLong();

    /** A buffer of exactly {@code size} bytes, position 0; pooled if one of that size is idle. */
    ByteBuffer acquire(int size) {
        synchronized (idle) {
            ByteBuffer b = idle.poll();
            if (b != null && b.capacity() == size) {
                reuses.incrementAndGet();
                return b.clear();
            }
            if (b != null) {
                idle.clear(); // the geometry changed: the other idle buffers have the old size too
            }
        }
        allocations.incrementAndGet();
        return ByteBuffer.allocate(size);
    }

    /** Gives a buffer back; nobody may use it afterwards. */
    void release(ByteBuffer b) {
        synchronized (idle) {
            if (idle.size() < MAX_IDLE) {
                idle.push(b);
            }
        }
    }

    /** Buffers allocated so far (a pooled buffer is counted once). */
    long allocations() {
        return allocations.get();
    }

    /** Acquisitions served by an idle buffer. */
    long reuses() {
        return reuses.get();
    }

    /**
     * One frame copy that several {@link Frame}s share (one per subscriber): its buffer goes back to the pool when
     * the holder and every frame made from it are closed. A frame that is never closed keeps the buffer out of the
     * pool for good, and the garbage collector takes it.
     */
    final class Copy {
        private final FrameInfo info;
        private final ByteBuffer pixels;
        private final AtomicInteger refs = new AtomicInteger(1); // the holder's own reference

        Copy(FrameInfo info, ByteBuffer pixels) {
            this.info = info;
            this.pixels = pixels;
        }

        FrameInfo info() {
            return info;
        }

        /** A new frame over this copy; closing it releases one reference. */
        Frame newFrame() {
            refs.incrementAndGet();
            return new Frame(info, pixels.duplicate(), this::release);
        }

        /** The only frame over this copy, for a single reader: it takes over the holder's reference. */
        Frame soleFrame() {
            return new Frame(info, pixels.duplicate(), this::release);
        }

        /** Releases the holder's reference (call once, when done making frames). */
        void release() {
            if (refs.decrementAndGet() == 0) {
                FramePool.this.release(pixels);
            }
        }
    }
}
