package io.framebus.api;

import java.util.Objects;

/**
 * The geometry of frames: size and pixel format.
 *
 * @param width  pixels per row, positive
 * @param height rows, positive
 * @param pixelFormat how the pixels are laid out
 */
public record FrameFormat(int width, int height, PixelFormat pixelFormat) {

    public FrameFormat {
        Objects.requireNonNull(pixelFormat, "pixelFormat");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("frame size must be positive, got " + width + "x" + height);
        }
    }

    /** Bytes of one row of the first plane. */
    public int stride() {
        return pixelFormat.stride(width);
    }

    /** Bytes of one whole frame. */
    public long frameBytes() {
        return pixelFormat.frameBytes(width, height);
    }

    @Override
    public String toString() {
        return width + "x" + height + " " + pixelFormat;
    }
}
