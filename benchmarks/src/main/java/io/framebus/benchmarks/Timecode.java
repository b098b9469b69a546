package io.framebus.benchmarks;

import java.nio.ByteBuffer;

/**
 * The time code that {@code tools/rtsp-test-server.py --timecode} burns into each frame: one row of 64 blocks,
 * each {@code max(8, width / 64)} pixels wide and twice that high (at least 16), starting one block height from
 * the top. Left to right: white, black (guard); 48 bits of the producer's CLOCK_MONOTONIC time in microseconds,
 * most significant first (white = 1); CRC-8 (polynomial 0x07) of those 6 bytes, big-endian; black, white (guard);
 * 4 grey blocks. The background is mid-grey. The decoder averages the middle half of each block and thresholds
 * halfway between the guards' white and black, so it survives H.264 and any video/full range conversion.
 */
final class Timecode {
    static final int BLOCKS = 64;
    static final int VALUE_BITS = 48;
    /** Returned by {@link #decode} when the row is missing, damaged or fails its check. */
    static final long INVALID = Long.MIN_VALUE;

    private static final int GUARD_CONTRAST = 64;

    private Timecode() {
    }

    static int blockWidth(int width) {
        return Math.max(8, width / BLOCKS);
    }

    static int blockHeight(int width) {
        return Math.max(16, 2 * blockWidth(width));
    }

    /**
     * The time code of a frame, in microseconds, or {@link #INVALID}.
     *
     * @param frame         the frame from its position 0 (absolute reads; the position is not used)
     * @param width         frame width in pixels
     * @param height        frame height in pixels
     * @param bytesPerPixel 1 for GRAY8 (or the Y plane of YUV420P/NV12), 3 for BGR24/RGB24 (the first channel
     *                      is read: the code is grey, so all channels agree)
     * @param stride        bytes per row
     */
    static long decode(ByteBuffer frame, int width, int height, int bytesPerPixel, int stride) {
        int bw = blockWidth(width);
        int bh = blockHeight(width);
        if (bw * BLOCKS > width || 2 * bh > height) {
            return INVALID;
        }
        double[] level = new double[BLOCKS - 4];
        for (int i = 0; i < level.length; i++) {
            level[i] = blockMean(frame, i * bw + bw / 4, bh + bh / 4, bw / 2, bh / 2, bytesPerPixel, stride);
        }
        int last = level.length - 1;
        double white = (level[0] + level[last]) / 2;
        double black = (level[1] + level[last - 1]) / 2;
        if (white - black < GUARD_CONTRAST) {
            return INVALID;
        }
        double threshold = (white + black) / 2;
        if (level[0] < threshold || level[1] >= threshold || level[last - 1] >= threshold
                || level[last] < threshold) {
            return INVALID;
        }
        long value = 0;
        for (int i = 0; i < VALUE_BITS; i++) {
            value = (value << 1) | (level[2 + i] >= threshold ? 1 : 0);
        }
        int check = 0;
        for (int i = 0; i < 8; i++) {
            check = (check << 1) | (level[2 + VALUE_BITS + i] >= threshold ? 1 : 0);
        }
        return check == crc8(value) ? value : INVALID;
    }

    /** CRC-8, polynomial 0x07, initial 0, over the value's 6 bytes big-endian (as the server computes it). */
    static int crc8(long value) {
        int crc = 0;
        for (int b = VALUE_BITS / 8 - 1; b >= 0; b--) {
            crc ^= (int) (value >>> (8 * b)) & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x07) & 0xFF : (crc << 1) & 0xFF;
            }
        }
        return crc;
    }

    /** Draws the code into a GRAY8 frame the way the server does (for tests): 16 black, 128 grey, 235 white. */
    static void draw(byte[] gray, int width, long micros) {
        int bw = blockWidth(width);
        int bh = blockHeight(width);
        long value = micros & ((1L << VALUE_BITS) - 1);
        int check = crc8(value);
        for (int i = 0; i < BLOCKS; i++) {
            int bit;
            if (i == 0 || i == 59) {
                bit = 1;
            } else if (i == 1 || i == 58) {
                bit = 0;
            } else if (i < 2 + VALUE_BITS) {
                bit = (int) (value >>> (VALUE_BITS - 1 - (i - 2))) & 1;
            } else if (i < 2 + VALUE_BITS + 8) {
                bit = (check >>> (7 - (i - 2 - VALUE_BITS))) & 1;
            } else {
                bit = -1;
            }
            byte luma = (byte) (bit < 0 ? 128 : bit == 1 ? 235 : 16);
            for (int y = bh; y < 2 * bh; y++) {
                for (int x = i * bw; x < (i + 1) * bw; x++) {
                    gray[y * width + x] = luma;
                }
            }
        }
    }

    private static double blockMean(ByteBuffer frame, int x0, int y0, int w, int h, int bytesPerPixel, int stride) {
        long sum = 0;
        for (int y = y0; y < y0 + h; y++) {
            int row = y * stride;
            for (int x = x0; x < x0 + w; x++) {
                sum += frame.get(row + x * bytesPerPixel) & 0xFF;
            }
        }
        return (double) sum / (w * h);
    }
}
