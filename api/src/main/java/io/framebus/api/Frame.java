package io.framebus.api;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One decoded frame that the consumer owns: its metadata and a private copy of its pixels.
 *
 * <p>A {@code Frame} never changes after it is handed out, whatever the camera does next, until its owner
 * {@linkplain #close() closes} it. Check {@link #age()} before acting on it: a frame can be old, for example when
 * its camera has stopped.
 *
 * <p>Closing is optional but cheap to do and worth it: framebus then reuses the frame's memory for a later frame
 * of the same camera instead of allocating a new copy (a 1280x720 BGR24 frame is 2.7 MB; at 6 fps that is 16 MB/s
 * of garbage per camera for a consumer that does not close). A frame that is never closed is simply garbage
 * collected. After {@code close()} the pixels must not be used any more, neither through this frame nor through a
 * buffer obtained from {@link #pixels()} before: they may already hold another frame.
 *
 * <pre>{@code
 * source.subscribe(frame -> {
 *     try (frame) {
 *         analyse(frame.info(), frame.pixels());
 *     }
 * }, executor);
 * }</pre>
 */
public final class Frame implements AutoCloseable {
    private static final Runnable NOTHING = () -> { };

    private final FrameInfo info;
    private final ByteBuffer pixels;
    /** What {@link #close()} runs once; null once closed. */
    private final AtomicReference<Runnable> release;

    /**
     * @param info   the frame's metadata
     * @param pixels exactly {@code info.format().frameBytes()} bytes between position and limit; the frame
     *               keeps a read-only view and the caller must not change the bytes afterwards
     */
    public Frame(FrameInfo info, ByteBuffer pixels) {
        this(info, pixels, NOTHING);
    }

    /**
     * A frame whose pixels belong to a pool: {@code release} runs once, on the first {@link #close()}, and may
     * then reuse the bytes.
     *
     * @param info    the frame's metadata
     * @param pixels  exactly {@code info.format().frameBytes()} bytes between position and limit
     * @param release gives the bytes back; it must not throw
     */
    public Frame(FrameInfo info, ByteBuffer pixels, Runnable release) {
        this.info = Objects.requireNonNull(info, "info");
        Objects.requireNonNull(pixels, "pixels");
        if (pixels.remaining() != info.format().frameBytes()) {
            throw new IllegalArgumentException("expected " + info.format().frameBytes() + " bytes for "
                    + info.format() + ", got " + pixels.remaining());
        }
        this.pixels = pixels.slice().asReadOnlyBuffer();
        this.release = new AtomicReference<>(Objects.requireNonNull(release, "release"));
    }

    public FrameInfo info() {
        return info;
    }

    public String cameraId() {
        return info.cameraId();
    }

    public long sequence() {
        return info.sequence();
    }

    public long generation() {
        return info.generation();
    }

    public FrameFormat format() {
        return info.format();
    }

    /** How long ago the frame was captured. */
    public Duration age() {
        return info.age();
    }

    /**
     * A read-only view of the pixels, positioned at 0; each call returns a new independent view, valid until the
     * frame is closed.
     *
     * @throws IllegalStateException if the frame is closed
     */
    public ByteBuffer pixels() {
        checkOpen();
        return pixels.duplicate();
    }

    /**
     * A copy of the pixels as a new array.
     *
     * @throws IllegalStateException if the frame is closed
     */
    public byte[] toByteArray() {
        checkOpen();
        byte[] out = new byte[pixels.remaining()];
        pixels.duplicate().get(out);
        return out;
    }

    /** Whether {@link #close()} was called. The metadata stays readable; the pixels do not. */
    public boolean isClosed() {
        return release.get() == null;
    }

    /**
     * Gives the pixels back to framebus for reuse. Idempotent; only the first call has an effect. Metadata
     * ({@link #info()}, {@link #age()}, ...) stays readable.
     */
    @Override
    public void close() {
        Runnable r = release.getAndSet(null);
        if (r != null) {
            r.run();
        }
    }

    private void checkOpen() {
        if (release.get() == null) {
            throw new IllegalStateException(this + " is closed: its pixels may already hold another frame");
        }
    }

    @Override
    public String toString() {
        return "Frame[" + info.cameraId() + " #" + info.sequence() + " gen " + info.generation() + " "
                + info.format() + "]";
    }
}
