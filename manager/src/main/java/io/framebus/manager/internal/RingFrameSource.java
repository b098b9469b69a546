package io.framebus.manager.internal;

import io.framebus.api.Frame;
import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.FrameListener;
import io.framebus.api.FrameSource;
import io.framebus.api.FrameViewListener;
import io.framebus.api.FrameVisitor;
import io.framebus.api.SourceStatus;
import io.framebus.api.Subscription;
import io.framebus.shm.RingReader;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The FrameSource service of one output of a camera, over the output's ring; waiting is on the capture process's
 * doorbell (shared by the camera's outputs: a wake-up without a new frame of this output just waits again).
 */
final class RingFrameSource implements FrameSource {
    /** Upper bound of one doorbell wait: a lost doorbell byte costs at most this much latency, never a frame. */
    private static final long DOORBELL_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Camera.Output camera;
    private final FramePool pool = new FramePool();
    private final FrameDispatcher dispatcher;

    RingFrameSource(Camera.Output camera, java.util.function.BiConsumer<String, Throwable> errors) {
        this.camera = camera;
        this.dispatcher = new FrameDispatcher(this::latestCopyOrNull, this::viewNewest, errors);
    }

    @Override
    public String id() {
        return camera.cameraId();
    }

    @Override
    public FrameFormat format() {
        RingReader r = camera.reader();
        if (r != null) {
            return r.format();
        }
        FrameFormat fixed = camera.fixedFormat();
        if (fixed == null) {
            throw new IllegalStateException("camera " + id() + " has no frames yet, so no format");
        }
        return fixed;
    }

    @Override
    public SourceStatus status() {
        return camera.status();
    }

    @Override
    public Optional<Frame> latest() {
        FramePool.Copy copy = latestCopyOrNull();
        return copy == null ? Optional.empty() : Optional.of(copy.soleFrame());
    }

    /** The newest frame copied into a pooled buffer; the caller releases it. */
    private FramePool.Copy latestCopyOrNull() {
        RingReader r = camera.reader();
        if (r == null) {
            return null;
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            ByteBuffer dst = pool.acquire((int) r.format().frameBytes());
            try {
                FrameInfo info = r.readLatest(dst);
                if (info != null) {
                    return pool.new Copy(info, dst.flip());
                }
                pool.release(dst);
                return null;
            } catch (java.nio.BufferOverflowException geometryChanged) {
                // the ring was replaced by a larger geometry between format() and the read: size again
            }
        }
        return null;
    }

    @Override
    public Optional<Frame> next(FrameInfo previous, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        Doorbell bell = camera.doorbell();
        long generation = previous == null ? -1 : previous.generation();
        long after = previous == null ? -1 : previous.sequence();
        while (true) {
            long rung = bell.rings();
            RingReader r = camera.reader();
            if (r != null) {
                if (previous == null && after < 0) {
                    generation = r.generation();
                    after = r.publishedSequence(); // "the next frame published after this call"
                }
                ByteBuffer dst = pool.acquire((int) r.format().frameBytes());
                try {
                    FrameInfo info = r.readAfter(generation, after, dst);
                    if (info != null) {
                        return Optional.of(pool.new Copy(info, dst.flip()).soleFrame());
                    }
                    pool.release(dst);
                } catch (java.nio.BufferOverflowException geometryChanged) {
                    continue;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            bell.await(rung, Math.min(left, DOORBELL_SLICE_NANOS));
        }
    }

    @Override
    public Optional<FrameInfo> copyLatestInto(ByteBuffer dst) {
        RingReader r = camera.reader();
        return r == null ? Optional.empty() : Optional.ofNullable(r.readLatest(dst));
    }

    @Override
    public boolean readLatest(FrameVisitor visitor) {
        RingReader r = camera.reader();
        return r != null && r.visitLatest(visitor);
    }

    @Override
    public Subscription subscribe(FrameListener listener, Executor executor) {
        return dispatcher.subscribe(Objects.requireNonNull(listener, "listener"), Objects.requireNonNull(executor, "executor"));
    }

    @Override
    public Subscription subscribeInPlace(FrameViewListener listener, Executor executor) {
        return dispatcher.subscribeInPlace(Objects.requireNonNull(listener, "listener"),
                Objects.requireNonNull(executor, "executor"));
    }

    private RingReader.ViewResult viewNewest(long generation, long afterSequence, FrameViewListener listener) {
        RingReader r = camera.reader();
        return r == null ? RingReader.ViewResult.NONE : r.viewNewest(generation, afterSequence, listener);
    }

    void frameArrived() {
        dispatcher.frameArrived();
    }

    void closeSubscriptions() {
        dispatcher.closeAll();
    }

    @Override
    public String toString() {
        return "FrameSource[" + id() + (camera.isDefault() ? "" : " output " + camera.name()) + "]";
    }
}
