package io.framebus.benchmarks;

import static io.framebus.benchmarks.BenchFrames.HD_BGR24;
import static io.framebus.benchmarks.BenchFrames.HD_BGR24_BYTES;
import static io.framebus.benchmarks.BenchFrames.RING_SLOTS;

import io.framebus.api.FrameInfo;
import io.framebus.api.FrameVisitor;
import io.framebus.shm.RingReader;
import io.framebus.shm.RingWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading the newest 1280x720 BGR24 frame of a ring on /dev/shm through a read-only mapping: copied out into a
 * direct buffer (against a plain copy of the same bytes out of a MappedByteBuffer), and visited in place, where
 * everything but the visitor is the ring's overhead.
 *
 * <p>Copies are sampled one by one (ratios between medians, see {@link RingPublishBenchmark}); a visit takes about
 * a hundred nanoseconds, too short to time one by one, so visits are averaged.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
@State(Scope.Thread)
public class RingReadBenchmark {
    private ScratchDirectory scratch;
    private RingWriter ring;
    private RingReader reader;
    private ByteBuffer dst;
    private MappedByteBuffer plainFrame;
    private byte lastByte;

    private final FrameVisitor ignoreFrame = (info, pixels) -> { };
    private final FrameVisitor readFirstByte = (info, pixels) -> lastByte = pixels.get(0);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        scratch = ScratchDirectory.create();
        ring = RingWriter.create(scratch.resolve("read.ring"), "bench", HD_BGR24, RING_SLOTS);
        ByteBuffer frame = BenchFrames.patternFrame(HD_BGR24_BYTES);
        for (int i = 0; i < RING_SLOTS + 1; i++) {
            ring.publish(frame, System.currentTimeMillis() * 1_000_000L, System.nanoTime(), FrameInfo.NO_PTS, true);
        }
        reader = RingReader.open(ring.path());
        dst = ByteBuffer.allocateDirect(HD_BGR24_BYTES);
        plainFrame = BenchFrames.mapPlainFile(scratch.resolve("plain-frame"), HD_BGR24_BYTES);
        plainFrame.put(0, frame, 0, HD_BGR24_BYTES);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        reader.close();
        ring.closeAndDelete();
        scratch.close();
    }

    @Benchmark
    public FrameInfo readLatest() {
        dst.clear();
        return reader.readLatest(dst);
    }

    /** Baseline: the same bytes copied out of a MappedByteBuffer of a plain /dev/shm file. */
    @Benchmark
    public ByteBuffer copyFromMapped() {
        return dst.put(0, plainFrame, 0, HD_BGR24_BYTES);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public boolean visitLatestIgnoringPixels() {
        return reader.visitLatest(ignoreFrame);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public byte visitLatestReadingOneByte() {
        return reader.visitLatest(readFirstByte) ? lastByte : -1;
    }
}
