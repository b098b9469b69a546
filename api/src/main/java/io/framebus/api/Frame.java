package io.framebus.api;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * One decoded frame that the consumer owns: its metadata and a private copy of its pixels.
 *
 * <p>A {@code Frame} never changes after it is handed out, whatever the camera does next. Check
 * {@link #age()} before acting on it: a frame can be old, for example when its camera has stopped.
 */
public final class Frame {
    private final FrameInfo info;
    private final ByteBuffer pixels;

    /**
     * @param info   the frame's metadata
     * @param pixels exactly {@code info.format().frameBytes()} bytes between position and limit; the frame
     *               keeps a read-only view and the caller must not change the bytes afterwards
     */
    public Frame(FrameInfo info, ByteBuffer pixels) {
        this.info = Objects.requireNonNull(info, "info");
        Objects.requireNonNull(pixels, "pixels");
        if (pixels.remaining() != info.format().frameBytes()) {
            throw new IllegalArgumentException("expected " + info.format().frameBytes() + " bytes for "
                    + info.format() + ", got " + pixels.remaining());
        }
        this.pixels = pixels.slice().asReadOnlyBuffer();
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

    /** A read-only view of the pixels, positioned at 0; each call returns a new independent view. */
    public ByteBuffer pixels() {
        return pixels.duplicate();
    }

    /** A copy of the pixels as a new array. */
    public byte[] toByteArray() {
        byte[] out = new byte[pixels.remaining()];
        pixels.duplicate().get(out);
        return out;
    }

    @Override
    public String toString() {
        return "Frame[" + info.cameraId() + " #" + info.sequence() + " gen " + info.generation() + " "
                + info.format() + "]";
    }
}
