package io.framebus.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.PixelFormat;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RingWriterReaderTest {
    private static final FrameFormat SMALL = new FrameFormat(64, 48, PixelFormat.BGR24);
    private static final int SMALL_BYTES = (int) SMALL.frameBytes();

    private Path dir;
    private Path ring;

    @BeforeEach
    void setUp() {
        dir = TestRings.newRingDirectory().resolve("rings");
        ring = RingDirectory.ringPath(dir, "front");
    }

    @AfterEach
    void tearDown() {
        TestRings.deleteRecursively(dir.getParent());
    }

    @Test
    void newRingDescribesItselfAndHasNoFrameYet() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4); RingReader r = RingReader.open(ring)) {
            assertThat(r.cameraId()).isEqualTo("front");
            assertThat(r.format()).isEqualTo(SMALL);
            assertThat(r.generation()).isEqualTo(1);
            assertThat(r.slotCount()).isEqualTo(4);
            assertThat(r.publishedSequence()).isZero();
            assertThat(r.readLatest(ByteBuffer.allocate(SMALL_BYTES))).isNull();
            assertThat(r.visitLatest((i, p) -> { })).isFalse();
            RingStatus s = r.status();
            assertThat(s.state()).isEqualTo(RingState.STARTING);
            assertThat(s.writerPid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(s.closed()).isFalse();
            assertThat(r.writerAlive()).isTrue();
        }
    }

    @Test
    void directoryAndFileArePrivate() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 2)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ring))).isEqualTo("rw-------");
            assertThat(Files.size(ring)).isEqualTo(4096 + 2 * 12288L); // 128 + 9216 bytes rounded up to pages
            Path wake = RingDirectory.wakeSocket(ring);
            assertThat(w.wakeSocket()).isEqualTo(wake);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(wake))).isEqualTo("rw-------");
            try (var files = Files.list(dir)) {
                assertThat(files).containsExactlyInAnyOrder(ring, wake); // no temporary file left
            }
        }
    }

    @Test
    void latestFrameIsCopiedWithItsMetadata() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4); RingReader r = RingReader.open(ring)) {
            long mono = System.nanoTime();
            for (long seq = 1; seq <= 10; seq++) {
                assertThat(w.publish(TestRings.frame(SMALL_BYTES, seq), 1_000_000_000L * seq, mono + seq, seq * 40_000,
                        seq % 5 == 1)).isEqualTo(seq);
            }
            ByteBuffer dst = ByteBuffer.allocateDirect(SMALL_BYTES + 10);
            dst.position(5);
            FrameInfo info = r.readLatest(dst);
            assertThat(info.sequence()).isEqualTo(10);
            assertThat(info.generation()).isEqualTo(1);
            assertThat(info.cameraId()).isEqualTo("front");
            assertThat(info.captureEpochNanos()).isEqualTo(10_000_000_000L);
            assertThat(info.captureMonoNanos()).isEqualTo(mono + 10);
            assertThat(info.sourcePtsMicros()).isEqualTo(400_000);
            assertThat(info.keyframe()).isFalse();
            assertThat(info.format()).isEqualTo(SMALL);
            assertThat(dst.position()).isEqualTo(5 + SMALL_BYTES);
            assertThat(TestRings.verify(dst, 5, SMALL_BYTES, 10)).isTrue();
        }
    }

    @Test
    void claimWritesInPlace() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 2); RingReader r = RingReader.open(ring)) {
            ByteBuffer slot = w.claim();
            assertThat(slot.remaining()).isEqualTo(SMALL_BYTES);
            assertThat(slot.isDirect()).isTrue();
            assertThat(w.claim().remaining()).isEqualTo(SMALL_BYTES); // a second claim is the same slot
            TestRings.fill(slot, 1);
            assertThat(r.readLatest(ByteBuffer.allocate(SMALL_BYTES))).as("nothing published before publishClaimed").isNull();
            w.publishClaimed(1, System.nanoTime(), FrameInfo.NO_PTS, true);
            ByteBuffer dst = ByteBuffer.allocate(SMALL_BYTES);
            FrameInfo info = r.readLatest(dst);
            assertThat(info.keyframe()).isTrue();
            assertThat(info.sourcePtsMicros()).isEqualTo(FrameInfo.NO_PTS);
            assertThat(TestRings.verify(dst, 0, SMALL_BYTES, 1)).isTrue();
            assertThatThrownBy(() -> w.publishClaimed(0, 0, 0, false)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void sequentialReadsSeeEveryFrameUntilLapped() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4); RingReader r = RingReader.open(ring)) {
            ByteBuffer dst = ByteBuffer.allocate(SMALL_BYTES);
            for (long seq = 1; seq <= 3; seq++) {
                w.publish(TestRings.frame(SMALL_BYTES, seq), 0, seq, FrameInfo.NO_PTS, false);
            }
            long gen = r.generation();
            for (long seq = 1; seq <= 3; seq++) {
                dst.clear();
                assertThat(r.readAfter(gen, seq - 1, dst).sequence()).isEqualTo(seq);
                assertThat(TestRings.verify(dst, 0, SMALL_BYTES, seq)).isTrue();
            }
            assertThat(r.readAfter(gen, 3, dst.clear())).isNull();
            assertThat(r.laps()).isZero();

            for (long seq = 4; seq <= 20; seq++) {
                w.publish(TestRings.frame(SMALL_BYTES, seq), 0, seq, FrameInfo.NO_PTS, false);
            }
            FrameInfo info = r.readAfter(gen, 3, dst.clear());
            assertThat(info.sequence()).as("lapped reader jumps to the newest frame").isEqualTo(20);
            assertThat(TestRings.verify(dst, 0, SMALL_BYTES, 20)).isTrue();
            assertThat(r.laps()).isEqualTo(1);
        }
    }

    @Test
    void zeroCopyVisitIsValidatedAfterTheVisit() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 2); RingReader r = RingReader.open(ring)) {
            w.publish(TestRings.frame(SMALL_BYTES, 1), 0, 1, FrameInfo.NO_PTS, false);
            boolean[] intact = new boolean[1];
            assertThat(r.visitLatest((info, pixels) -> {
                assertThat(pixels.isReadOnly()).isTrue();
                assertThat(pixels.remaining()).isEqualTo(SMALL_BYTES);
                intact[0] = TestRings.verify(pixels, 0, SMALL_BYTES, info.sequence());
            })).isTrue();
            assertThat(intact[0]).isTrue();

            // the writer laps the slot while the consumer is still looking at it: the visit must not validate
            boolean valid = r.visitLatest((info, pixels) -> {
                for (long seq = 2; seq <= 3; seq++) {
                    w.publish(TestRings.frame(SMALL_BYTES, seq), 0, seq, FrameInfo.NO_PTS, false);
                }
            });
            assertThat(valid).isFalse();
        }
    }

    @Test
    void awaitReturnsTheNextFrameOrNullOnTimeout() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4); RingReader r = RingReader.open(ring)) {
            ByteBuffer dst = ByteBuffer.allocate(SMALL_BYTES);
            assertThat(r.awaitAfter(r.generation(), 0, dst, TimeUnit.MILLISECONDS.toNanos(50))).isNull();

            CompletableFuture<FrameInfo> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return r.awaitAfter(r.generation(), 0, dst, TimeUnit.SECONDS.toNanos(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            w.publish(TestRings.frame(SMALL_BYTES, 1), 0, System.nanoTime(), FrameInfo.NO_PTS, false);
            assertThat(waiting.get(30, TimeUnit.SECONDS).sequence()).isEqualTo(1);
            assertThat(TestRings.verify(dst, 0, SMALL_BYTES, 1)).isTrue();
        }
    }

    @Test
    void awaitIsInterruptible() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4); RingReader r = RingReader.open(ring)) {
            AtomicBoolean interrupted = new AtomicBoolean();
            Thread t = new Thread(() -> {
                try {
                    r.awaitAfter(1, 0, ByteBuffer.allocate(SMALL_BYTES), TimeUnit.MINUTES.toNanos(5));
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
            });
            t.start();
            t.interrupt();
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(interrupted).isTrue();
        }
    }

    @Test
    void readerFollowsAWriterRestartToTheNextGeneration() throws Exception {
        RingWriter first = RingWriter.create(ring, "front", SMALL, 4);
        RingReader r = RingReader.open(ring);
        first.publish(TestRings.frame(SMALL_BYTES, 1), 0, 1, FrameInfo.NO_PTS, false);
        assertThat(r.generation()).isEqualTo(1);

        try (RingWriter second = RingWriter.create(ring, "front", SMALL, 4)) {
            assertThat(second.generation()).isEqualTo(2);
            assertThat(r.generation()).as("old mapping marked replaced, reader reopened").isEqualTo(2);
            assertThat(r.publishedSequence()).isZero();
            second.publish(TestRings.frame(SMALL_BYTES, 7), 0, 1, FrameInfo.NO_PTS, false);
            ByteBuffer dst = ByteBuffer.allocate(SMALL_BYTES);
            FrameInfo info = r.readAfter(1, 1, dst);
            assertThat(info.generation()).isEqualTo(2);
            assertThat(info.sequence()).isEqualTo(1);
            assertThat(TestRings.verify(dst, 0, SMALL_BYTES, 7)).isTrue();
        }
    }

    @Test
    void readerFollowsARingThatWasDeletedAndCreatedAgain() throws Exception {
        RingWriter first = RingWriter.create(ring, "front", SMALL, 4);
        RingReader r = RingReader.open(ring);
        first.publish(TestRings.frame(SMALL_BYTES, 1), 0, 1, FrameInfo.NO_PTS, false);
        java.nio.file.Files.delete(ring); // a supervisor cleaned up after a kill -9: nobody marked the old file
        try (RingWriter second = RingWriter.create(ring, "front", SMALL, 4, 5)) {
            second.publish(TestRings.frame(SMALL_BYTES, 9), 0, 1, FrameInfo.NO_PTS, false);
            ByteBuffer dst = ByteBuffer.allocate(SMALL_BYTES);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                FrameInfo info = r.readLatest(dst.clear());
                return info != null && info.generation() == 5;
            });
            assertThat(TestRings.verify(dst, 0, SMALL_BYTES, 9)).isTrue();
        }
    }

    @Test
    void closingAReplacedWriterKeepsTheReplacedMark() throws Exception {
        RingWriter first = RingWriter.create(ring, "front", SMALL, 4);
        RingReader r = RingReader.open(ring);
        try (RingWriter second = RingWriter.create(ring, "front", SMALL, 4)) {
            first.close(); // the old writer shuts down after its successor took over
            assertThat(r.generation()).isEqualTo(2);
            assertThat(r.status().closed()).isFalse();
        }
    }

    @Test
    void aRingDirectoryOthersCanEnterIsRefused() throws Exception {
        java.nio.file.Path open = dir.getParent().resolve("open");
        java.nio.file.Files.createDirectories(open);
        java.nio.file.Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> RingWriter.create(open.resolve("x.ring"), "x", SMALL, 2))
                .hasMessageContaining("accessible to other users");
    }

    @Test
    void anAbsurdFrameSizeIsRefusedCleanly() {
        assertThatThrownBy(() -> new FrameFormat(Integer.MAX_VALUE, Integer.MAX_VALUE, PixelFormat.BGR24).frameBytes())
                .isInstanceOf(ArithmeticException.class);
        assertThat(ring).doesNotExist();
    }

    @Test
    void minimumGenerationKeepsGenerationsIncreasingAcrossDeletes() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4, 41)) {
            assertThat(w.generation()).isEqualTo(41);
        }
    }

    @Test
    void geometryChangeMakesANewGenerationThatReadersFollow() throws Exception {
        RingWriter w = RingWriter.create(ring, "front", SMALL, 4);
        RingReader r = RingReader.open(ring);
        FrameFormat bigger = new FrameFormat(128, 96, PixelFormat.GRAY8);
        try (RingWriter replaced = w.replace(bigger)) {
            assertThat(replaced.generation()).isEqualTo(2);
            assertThat(r.format()).isEqualTo(bigger);
            assertThatThrownBy(w::claim).as("the replaced writer is finished").isInstanceOf(IllegalStateException.class);
            assertThat(r.publishedSequence()).isZero();
        }
    }

    @Test
    void statusCarriesStateErrorCountersAndHeartbeat() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4); RingReader r = RingReader.open(ring)) {
            long before = r.status().heartbeatNanos();
            w.state(RingState.RECONNECTING);
            w.error(RingError.TIMEOUT, "read timed out after 2000 ms — ünïcödé");
            w.addDecoded(25);
            w.addDropped(19);
            w.addReconnect();
            w.sourceInfo(1920, 1080, 25.0);
            w.heartbeat();
            RingStatus s = r.status();
            assertThat(s.state()).isEqualTo(RingState.RECONNECTING);
            assertThat(s.errorCode()).isEqualTo(RingError.TIMEOUT);
            assertThat(s.errorText()).isEqualTo("read timed out after 2000 ms — ünïcödé");
            assertThat(s.decodedFrames()).isEqualTo(25);
            assertThat(s.droppedFrames()).isEqualTo(19);
            assertThat(s.reconnects()).isEqualTo(1);
            assertThat(s.sourceWidth()).isEqualTo(1920);
            assertThat(s.sourceFpsMilli()).isEqualTo(25_000);
            assertThat(s.heartbeatNanos()).isGreaterThanOrEqualTo(before);
            assertThat(s.heartbeatAge()).isLessThan(Duration.ofMinutes(1));

            w.error(RingError.STREAM, "x".repeat(5000));
            assertThat(r.status().errorText()).hasSize(1024);
            w.close();
            assertThat(r.status().closed()).isTrue();
            assertThat(r.status().state()).isEqualTo(RingState.STOPPED);
        }
    }

    @Test
    void errorTextIsCutOnACharacterBoundary() {
        byte[] cut = RingWriter.truncateUtf8("aé".repeat(10), 5); // byte 5 is inside the second é
        assertThat(new String(cut, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("aéa");
    }

    @Test
    void closeAndDeleteRemovesTheFile() throws Exception {
        RingWriter w = RingWriter.create(ring, "front", SMALL, 4);
        w.closeAndDelete();
        assertThat(ring).doesNotExist();
    }

    @Test
    void badParametersAreRefusedWithoutLeavingFiles() {
        assertThatThrownBy(() -> RingWriter.create(ring, "front", SMALL, 1))
                .isInstanceOf(RingFileException.class).hasMessageContaining("slot count must be 2..64, got 1");
        assertThatThrownBy(() -> RingWriter.create(ring, "front", new FrameFormat(30000, 30000, PixelFormat.BGR24), 4))
                .isInstanceOf(RingFileException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> RingWriter.create(ring, "x".repeat(65), SMALL, 4))
                .isInstanceOf(RingFileException.class).hasMessageContaining("camera id");
        assertThat(ring).doesNotExist();
    }

    @Test
    void cameraIdsThatAreNotFileNamesAreRejected() {
        for (String bad : new String[] {"../x", "a/b", "", ".hidden", "x".repeat(300), "sp ace"}) {
            assertThatThrownBy(() -> RingDirectory.ringPath(dir, bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("camera id");
        }
        assertThat(RingDirectory.ringPath(dir, "Front_door-2.cam")).hasFileName("Front_door-2.cam.ring");
    }
}
