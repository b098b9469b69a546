package io.framebus.api;

/**
 * Pixel layouts a camera can publish. Every format is tightly packed: rows follow each other with no
 * padding, so {@link #stride(int)} is the exact row length of the first plane and {@link #frameBytes(int, int)}
 * the exact payload size.
 *
 * <p>The {@link #code()} of each constant is what the ring file stores (see docs/shm-format.md); it never
 * changes once released.
 */
public enum PixelFormat {
    /** 3 bytes per pixel, blue, green, red (OpenCV's default order). */
    BGR24(1, 1),
    /** 3 bytes per pixel, red, green, blue. */
    RGB24(2, 1),
    /** 1 byte per pixel, luma only. */
    GRAY8(3, 1),
    /** Planar 4:2:0: a full-size Y plane, then U and V planes of ceil(w/2) x ceil(h/2). */
    YUV420P(4, 3),
    /** Semi-planar 4:2:0: a full-size Y plane, then one plane of interleaved U/V pairs, ceil(w/2) pairs per row. */
    NV12(5, 2);

    private final int code;
    private final int planes;

    PixelFormat(int code, int planes) {
        this.code = code;
        this.planes = planes;
    }

    /** The stable numeric code stored in ring files. */
    public int code() {
        return code;
    }

    /** Number of planes in one frame (1 for packed formats). */
    public int planes() {
        return planes;
    }

    /** Bytes of one row of the first plane for an image {@code width} pixels wide. */
    public int stride(int width) {
        requirePositive(width, 1);
        return switch (this) {
            case BGR24, RGB24 -> Math.multiplyExact(width, 3);
            case GRAY8, YUV420P, NV12 -> width;
        };
    }

    /**
     * Bytes of one whole frame of {@code width} x {@code height} pixels in this format.
     *
     * @throws IllegalArgumentException if a dimension is not positive
     * @throws ArithmeticException if the size does not fit in a {@code long}
     */
    public long frameBytes(int width, int height) {
        requirePositive(width, height);
        long luma = Math.multiplyExact((long) width, (long) height);
        long chroma = Math.multiplyExact((long) (width / 2 + width % 2), (long) (height / 2 + height % 2));
        return switch (this) {
            case BGR24, RGB24 -> Math.multiplyExact(luma, 3L);
            case GRAY8 -> luma;
            case YUV420P, NV12 -> Math.addExact(luma, Math.multiplyExact(chroma, 2L));
        };
    }

    /**
     * The format with the given ring code.
     *
     * @throws IllegalArgumentException if no format has that code
     */
    public static PixelFormat fromCode(int code) {
        for (PixelFormat f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown pixel format code " + code);
    }

    private static void requirePositive(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("frame size must be positive, got " + width + "x" + height);
        }
    }
}
