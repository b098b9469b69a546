package io.framebus.benchmarks;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The frame every benchmark moves, and the plain buffers the ring is compared with. */
final class BenchFrames {
    /** 1280x720 BGR24: 2,764,800 bytes, the frame the targets in docs/benchmarks.md are stated for. */
    static final FrameFormat HD_BGR24 = new FrameFormat(1280, 720, PixelFormat.BGR24);
    static final int HD_BGR24_BYTES = (int) HD_BGR24.frameBytes();
    /** The slot count cameras get by default (DESIGN.md, {@code ringSlots}). */
    static final int RING_SLOTS = 4;

    private BenchFrames() {
    }

    /** A direct buffer of {@code bytes} holding a non-zero pattern (a decoder's output, outside the ring). */
    static ByteBuffer patternFrame(int bytes) {
        ByteBuffer frame = ByteBuffer.allocateDirect(bytes);
        for (int i = 0; i < bytes; i++) {
            frame.put(i, (byte) (i * 31 + (i >>> 11)));
        }
        return frame;
    }

    /**
     * Maps a plain file of {@code bytes} read-write, written with zeros first and then touched, exactly as
     * {@code RingWriter} prepares a ring, so that the baseline pays no page fault the ring does not pay.
     */
    static MappedByteBuffer mapPlainFile(Path file, long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            long written = 0;
            while (written < bytes) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - written));
                while (zeros.hasRemaining()) {
                    written += ch.write(zeros, written);
                }
            }
            MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
            mapped.load();
            return mapped;
        }
    }
}
