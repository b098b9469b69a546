package io.framebus.benchmarks;

import static io.framebus.benchmarks.BenchFrames.HD_BGR24;
import static io.framebus.benchmarks.BenchFrames.HD_BGR24_BYTES;
import static io.framebus.benchmarks.BenchFrames.RING_SLOTS;

import io.framebus.api.FrameInfo;
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
 * Publishing one 1280x720 BGR24 frame from a direct buffer into a ring on /dev/shm, against plain copies of the
 * same bytes from the same buffer. The ring's cost over a copy is its protocol: two release stores of the slot
 * lock, the metadata, the published sequence, one {@code System.nanoTime()}, a slice.
 *
 * <p>Sample mode: every invocation (about 70 µs) is timed, and the ratios in docs/benchmarks.md are taken between
 * medians, which a build running next to the benchmark on a shared machine disturbs far less than means.
 *
 * <p>The ring writes its {@value BenchFrames#RING_SLOTS} slots in turn, so its destination footprint is four
 * frames where the plain copies write one; {@link #copyToMappedSlots} writes the same footprint with no protocol,
 * to tell the two effects apart.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
@State(Scope.Thread)
public class RingPublishBenchmark {
    private ScratchDirectory scratch;
    private RingWriter ring;
    /** The decoded frame, outside the ring. */
    private ByteBuffer frame;
    private ByteBuffer directCopy;
    private MappedByteBuffer mappedCopy;
    private MappedByteBuffer mappedSlots;
    private long slotBytes;
    private int nextSlot;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        scratch = ScratchDirectory.create();
        ring = RingWriter.create(scratch.resolve("publish.ring"), "bench", HD_BGR24, RING_SLOTS);
        frame = BenchFrames.patternFrame(HD_BGR24_BYTES);
        directCopy = ByteBuffer.allocateDirect(HD_BGR24_BYTES);
        mappedCopy = BenchFrames.mapPlainFile(scratch.resolve("plain-frame"), HD_BGR24_BYTES);
        // same geometry as the ring's slots: page-aligned slots, payload after a 128-byte header
        slotBytes = (HD_BGR24_BYTES + 128 + 4095) / 4096 * 4096L;
        mappedSlots = BenchFrames.mapPlainFile(scratch.resolve("plain-slots"), RING_SLOTS * slotBytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        ring.closeAndDelete();
        scratch.close();
    }

    @Benchmark
    public long publish() {
        return ring.publish(frame, 0L, 0L, FrameInfo.NO_PTS, true);
    }

    /** Baseline: the same bytes into another direct buffer (anonymous memory, no file). */
    @Benchmark
    public ByteBuffer copyToDirect() {
        return directCopy.put(0, frame, 0, HD_BGR24_BYTES);
    }

    /** Baseline: the same bytes into a MappedByteBuffer of a plain /dev/shm file. */
    @Benchmark
    public ByteBuffer copyToMapped() {
        return mappedCopy.put(0, frame, 0, HD_BGR24_BYTES);
    }

    /** Footprint control: plain copies into four slot-sized regions of a /dev/shm file, in turn, as the ring does. */
    @Benchmark
    public ByteBuffer copyToMappedSlots() {
        int slot = nextSlot;
        nextSlot = (slot + 1) % RING_SLOTS;
        return mappedSlots.put((int) (slot * slotBytes + 128), frame, 0, HD_BGR24_BYTES);
    }
}
