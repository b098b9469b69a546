package io.framebus.shm;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.api.CaptureTimeSource;
import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.PixelFormat;
import io.framebus.shm.internal.RingLayout;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format revision 1: the source capture time, its source, the clock reset flag and the source sequence. */
class RingRevisionTest {
    private static final FrameFormat FORMAT = new FrameFormat(64, 48, PixelFormat.GRAY8);

    @TempDir
    Path dir;

    @Test
    void theSourceTimeAndSequenceGoThroughTheSlot() throws Exception {
        Path ring = dir.resolve("cam.ring");
        try (RingWriter w = RingWriter.create(ring, "cam", FORMAT, 2, 1);
             RingReader r = RingReader.open(ring)) {
            w.claim();
            w.publishClaimed(1000, System.nanoTime(), 40, true, 777_000, CaptureTimeSource.RTCP, true, 42);
            ByteBuffer dst = ByteBuffer.allocate((int) FORMAT.frameBytes());
            FrameInfo f = r.readLatest(dst);
            assertThat(f.sourceCaptureEpochNanos()).isEqualTo(777_000);
            assertThat(f.captureTimeSource()).isEqualTo(CaptureTimeSource.RTCP);
            assertThat(f.sourceClockReset()).isTrue();
            assertThat(f.keyframe()).isTrue();
            assertThat(f.sourceSequence()).isEqualTo(42);
            assertThat(f.sourceCaptureTime()).isPresent();

            w.publish(ByteBuffer.allocate((int) FORMAT.frameBytes()), 2000, System.nanoTime(), 80, false);
            dst.clear();
            FrameInfo plain = r.readLatest(dst);
            assertThat(plain.captureTimeSource()).isEqualTo(CaptureTimeSource.NONE);
            assertThat(plain.sourceCaptureEpochNanos()).isZero();
            assertThat(plain.sourceClockReset()).isFalse();
            assertThat(plain.sourceSequence()).isZero();
            assertThat(plain.sourceCaptureTime()).isEmpty();
        }
    }

    @Test
    void aRevisionZeroFileReadsAsNothingGiven() throws Exception {
        Path ring = dir.resolve("old.ring");
        try (RingWriter w = RingWriter.create(ring, "old", FORMAT, 2, 1)) {
            w.publish(ByteBuffer.allocate((int) FORMAT.frameBytes()), 2000, System.nanoTime(), 80, true);
        }
        // what an older writer left: revision word 0, the slot's revision 1 bytes 0 (here they are 0 already)
        try (RandomAccessFile f = new RandomAccessFile(ring.toFile(), "rw")) {
            ByteBuffer zero = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0);
            f.getChannel().write(zero, RingLayout.REVISION_OFFSET);
        }
        try (RingReader r = RingReader.open(ring)) {
            FrameInfo info = r.readLatest(ByteBuffer.allocate((int) FORMAT.frameBytes()));
            assertThat(info.captureTimeSource()).isEqualTo(CaptureTimeSource.NONE);
            assertThat(info.sourceSequence()).isZero();
            assertThat(info.keyframe()).isTrue();
        }
    }
}
