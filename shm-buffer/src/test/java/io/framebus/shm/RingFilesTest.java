package io.framebus.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import io.framebus.shm.internal.RingLayout;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Files that are not healthy rings: each gets a clear error or is recognised as stale. */
class RingFilesTest {
    private static final FrameFormat FORMAT = new FrameFormat(32, 32, PixelFormat.GRAY8);

    private Path dir;

    @BeforeEach
    void setUp() {
        dir = TestRings.newRingDirectory();
    }

    @AfterEach
    void tearDown() {
        TestRings.deleteRecursively(dir);
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> RingReader.open(dir.resolve("nope.ring"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void fileThatIsNotARing() throws Exception {
        Path text = Files.writeString(dir.resolve("text.ring"), "hello, this is not a ring at all ".repeat(200));
        assertProblem(text, RingFileException.Problem.NOT_A_RING, "not a framebus ring");
        Path empty = Files.createFile(dir.resolve("empty.ring"));
        assertProblem(empty, RingFileException.Problem.NOT_A_RING, "0 bytes");
    }

    @Test
    void truncatedRing() throws Exception {
        Path ring = ring("cut");
        try (RandomAccessFile f = new RandomAccessFile(ring.toFile(), "rw")) {
            f.setLength(RingLayout.HEADER_BYTES + 100);
        }
        assertProblem(ring, RingFileException.Problem.TRUNCATED, "its header needs");
        try (RandomAccessFile f = new RandomAccessFile(ring.toFile(), "rw")) {
            f.setLength(1000);
        }
        assertProblem(ring, RingFileException.Problem.TRUNCATED, "the header alone");
    }

    @Test
    void otherVersionAndUnfinishedRing() throws Exception {
        Path ring = ring("ver");
        writeInt(ring, RingLayout.VERSION_OFFSET, 99);
        assertProblem(ring, RingFileException.Problem.UNSUPPORTED_VERSION, "version 99");
        writeInt(ring, RingLayout.VERSION_OFFSET, 0);
        assertProblem(ring, RingFileException.Problem.NOT_READY, "initialised");
    }

    @Test
    void corruptGeometry() throws Exception {
        Path ring = ring("geo");
        writeInt(ring, RingLayout.PIXEL_FORMAT_OFFSET, 77);
        assertProblem(ring, RingFileException.Problem.NOT_A_RING, "corrupt header");
    }

    @Test
    void overflowingGeometryIsACorruptHeaderNotACrash() throws Exception {
        // width x height x 3 overflows a long: once an ArithmeticException out of isStale stopped the manager
        Path huge = ring("huge");
        writeInt(huge, RingLayout.WIDTH_OFFSET, Integer.MAX_VALUE);
        writeInt(huge, RingLayout.HEIGHT_OFFSET, Integer.MAX_VALUE);
        writeInt(huge, RingLayout.PIXEL_FORMAT_OFFSET, PixelFormat.BGR24.code());
        assertProblem(huge, RingFileException.Problem.NOT_A_RING, "corrupt header");
        assertThat(RingDirectory.isStale(huge)).isTrue();
        // a consistent but absurd geometry whose file size would overflow to a negative number and so "fit"
        Path big = ring("big");
        FrameFormat absurd = new FrameFormat(1 << 30, 1 << 28, PixelFormat.GRAY8); // 2^58 bytes a frame
        writeInt(big, RingLayout.WIDTH_OFFSET, absurd.width());
        writeInt(big, RingLayout.HEIGHT_OFFSET, absurd.height());
        writeLong(big, RingLayout.FRAME_BYTES_OFFSET, absurd.frameBytes());
        writeLong(big, RingLayout.SLOT_BYTES_OFFSET, RingLayout.slotBytes(absurd.frameBytes()));
        writeInt(big, RingLayout.SLOT_COUNT_OFFSET, 64);
        long wrapped = RingLayout.fileBytes(64, absurd.frameBytes());
        assertThat(wrapped).as("the overflow this guards against: the size wraps to a small one")
                .isBetween(0L, 1L << 20);
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(wrapped); // so that a size check alone would pass
        }
        assertProblem(big, RingFileException.Problem.NOT_A_RING, "corrupt header");
        assertThat(RingDirectory.removeStale(dir)).contains(huge, big);
    }

    @Test
    void ringOfADeadWriterIsStaleAndCleanedUp() throws Exception {
        Path live = ring("live");
        Path dead = ring("dead");
        Path closed = ring("closed");
        try (RingWriter w = RingWriter.create(closed, "closed", FORMAT, 2)) {
            w.close();
        }
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        writeLong(dead, RingLayout.WRITER_PID_OFFSET, gone.pid());
        Path junk = Files.writeString(dir.resolve("junk.ring"), "junk");
        Path tmp = Files.writeString(dir.resolve("x.ring." + gone.pid() + ".tmp"), "half written");
        Path unrelated = Files.writeString(dir.resolve("notes.txt"), "keep me");

        assertThat(RingDirectory.isStale(live)).isFalse();
        assertThat(RingDirectory.isStale(dead)).isTrue();
        try (RingReader r = RingReader.open(dead)) {
            assertThat(r.writerAlive()).isFalse();
        }
        List<Path> removed = RingDirectory.removeStale(dir);
        assertThat(removed).containsExactlyInAnyOrder(dead, closed, junk, tmp);
        assertThat(live).exists();
        assertThat(unrelated).exists();
        assertThat(RingDirectory.rings(dir)).containsExactly(live);
    }

    @Test
    void pidReuseIsNotMistakenForTheWriter() throws Exception {
        Path ring = ring("reused");
        // our own pid, but another start time: a different process that got the same pid
        writeLong(ring, RingLayout.WRITER_START_MILLIS_OFFSET, 12345L);
        assertThat(RingDirectory.isStale(ring)).isTrue();
    }

    @Test
    void aWriterStartTimeShiftedByWholeSecondsIsStillTheWriter() throws Exception {
        Path ring = ring("shifted");
        // the writer's JVM read another boot time (the wall clock was set in between): whole seconds apart
        long start = RingDirectory.startMillis(ProcessHandle.current());
        writeLong(ring, RingLayout.WRITER_START_MILLIS_OFFSET, start - 37_000L);
        assertThat(RingDirectory.isStale(ring)).isFalse();
        writeLong(ring, RingLayout.WRITER_START_MILLIS_OFFSET, start - 37_010L);
        assertThat(RingDirectory.isStale(ring)).isTrue();
        assertThat(RingDirectory.sameStart(0, start)).isTrue();
    }

    @Test
    void notEnoughSpaceIsAClearErrorBeforeAnythingIsWritten() throws Exception {
        Path ring = dir.resolve("big.ring");
        assertThatThrownBy(() -> RingDirectory.requireSpace(dir, Long.MAX_VALUE / 2, ring))
                .isInstanceOf(RingFileException.class)
                .hasMessageContaining("free")
                .satisfies(e -> assertThat(((RingFileException) e).problem()).isEqualTo(RingFileException.Problem.NO_SPACE));
        assertThat(ring).doesNotExist();
    }

    private Path ring(String id) throws Exception {
        Path p = RingDirectory.ringPath(dir, id);
        RingWriter.create(p, id, FORMAT, 2);
        return p;
    }

    private static void assertProblem(Path p, RingFileException.Problem problem, String message) {
        assertThatThrownBy(() -> RingReader.open(p))
                .isInstanceOf(RingFileException.class)
                .hasMessageContaining(message)
                .hasMessageContaining(p.toString())
                .satisfies(e -> assertThat(((RingFileException) e).problem()).isEqualTo(problem));
    }

    private static void writeInt(Path p, long offset, int v) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.seek(offset);
            f.writeInt(Integer.reverseBytes(v)); // the file is little-endian
        }
    }

    private static void writeLong(Path p, long offset, long v) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.seek(offset);
            f.writeLong(Long.reverseBytes(v));
        }
    }
}
