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
