package io.framebus.shm;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.PixelFormat;
import io.framebus.shm.internal.FileMapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When a reader's mappings end: a ring it left or every ring once closed is released as soon as no call uses it.
 * The functional half runs on any Java; whether the memory is unmapped at once is checked in /proc/self/maps where
 * the runtime can do it (Java 22+: the build runs this class on the newest JDK too, see the pom).
 */
class RingMappingTest {
    private static final FrameFormat SMALL = new FrameFormat(64, 48, PixelFormat.BGR24);
    private static final FrameFormat LARGER = new FrameFormat(80, 60, PixelFormat.BGR24);

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
    void theForeignMappingIsUsedFromJava22On() {
        assertThat(FileMapping.unmapsAtOnce()).isEqualTo(Runtime.version().feature() >= 22);
    }

    @Test
    void closingUnmapsAndLaterCallsAnswerAsAtTheClose() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4)) {
            long inode = inode(ring);
            RingReader r = RingReader.open(ring);
            w.publish(TestRings.frame((int) SMALL.frameBytes(), 1), 1, 1, 0, true);
            assertThat(mappings(inode)).isEqualTo(2); // the writer's and the reader's
            r.close();
            if (FileMapping.unmapsAtOnce()) {
                assertThat(mappings(inode)).isEqualTo(1);
            }
            assertThat(r.readLatest(ByteBuffer.allocate((int) SMALL.frameBytes()))).isNull();
            assertThat(r.readAfter(r.generation(), 0, ByteBuffer.allocate((int) SMALL.frameBytes()))).isNull();
            assertThat(r.awaitAfter(r.generation(), 1, ByteBuffer.allocate((int) SMALL.frameBytes()),
                    TimeUnit.SECONDS.toNanos(5))).isNull();
            assertThat(r.visitLatest((i, p) -> { })).isFalse();
            assertThat(r.viewNewest(0, 0, v -> { })).isEqualTo(RingReader.ViewResult.NONE);
            assertThat(r.refresh()).isFalse();
            assertThat(r.publishedSequence()).isEqualTo(1);
            assertThat(r.status().publishedSequence()).isEqualTo(1);
            assertThat(r.status().writerPid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(r.format()).isEqualTo(SMALL);
            r.close(); // twice is harmless
        }
    }

    @Test
    void aRingTheReaderLeftIsUnmappedAndTheWriterSideClosesItsLookAtThePredecessor() throws Exception {
        RingWriter first = RingWriter.create(ring, "front", SMALL, 4);
        long firstInode = inode(ring);
        try (RingReader r = RingReader.open(ring)) {
            first.publish(TestRings.frame((int) SMALL.frameBytes(), 1), 1, 1, 0, true);
            assertThat(r.readLatest(ByteBuffer.allocate((int) SMALL.frameBytes())).generation()).isEqualTo(1);
            try (RingWriter second = first.replace(LARGER)) {
                second.publish(TestRings.frame((int) LARGER.frameBytes(), 1), 1, 1, 0, true);
                FrameInfo info = r.readLatest(ByteBuffer.allocate((int) LARGER.frameBytes()));
                assertThat(info.generation()).isEqualTo(2);
                assertThat(info.format()).isEqualTo(LARGER);
                assertThat(mappings(inode(ring))).isEqualTo(2);
                if (FileMapping.unmapsAtOnce()) {
                    // only the first writer's own mapping is left: neither the reader's, nor the one the second
                    // writer opened to mark the first replaced
                    assertThat(mappings(firstInode)).isEqualTo(1);
                }
            }
        } finally {
            first.close();
        }
    }

    @Test
    void aViewInProgressKeepsItsMappingUntilItEnds() throws Exception {
        int bytes = (int) SMALL.frameBytes();
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4)) {
            long inode = inode(ring);
            RingReader r = RingReader.open(ring);
            w.publish(TestRings.frame(bytes, 1), 1, 1, 0, true);
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch closed = new CountDownLatch(1);
            AtomicBoolean pixelsReadAfterClose = new AtomicBoolean();
            AtomicBoolean intact = new AtomicBoolean();
            Thread viewer = new Thread(() -> intact.set(r.visitLatest((info, pixels) -> {
                inside.countDown();
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                pixelsReadAfterClose.set(TestRings.verify(pixels, 0, bytes, info.sequence()));
            })));
            viewer.start();
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            r.close();
            assertThat(mappings(inode)).isEqualTo(2); // the visit still runs on the reader's mapping
            closed.countDown();
            viewer.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(pixelsReadAfterClose).isTrue();
            assertThat(intact).isTrue();
            if (FileMapping.unmapsAtOnce()) {
                assertThat(mappings(inode)).isEqualTo(1); // released by the visit's end
            }
        }
    }

    /**
     * Readers on three threads while the ring is replaced again and again: no call ever touches a released
     * mapping (that would throw IllegalStateException on Java 22+), no frame is wrong, and in the end the reader
     * holds the current ring's mapping only.
     */
    @Test
    void concurrentReadsWhileTheRingIsReplacedNeverTouchAReleasedMapping() throws Exception {
        List<RingWriter> writers = new ArrayList<>(); // kept reachable: each old ring keeps exactly its writer's mapping
        List<Long> inodes = new ArrayList<>();
        writers.add(RingWriter.create(ring, "front", SMALL, 4));
        inodes.add(inode(ring));
        RingReader r = RingReader.open(ring);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong framesChecked = new AtomicLong();
        int maxBytes = (int) LARGER.frameBytes();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int kind = t;
            threads.add(new Thread(() -> {
                ByteBuffer dst = ByteBuffer.allocate(maxBytes);
                try {
                    while (!stop.get()) {
                        if (kind == 0) {
                            dst.clear();
                            FrameInfo info = r.readLatest(dst);
                            if (info != null && TestRings.verify(dst.flip(), 0, (int) info.format().frameBytes(),
                                    info.sequence() + 1000 * info.generation())) {
                                framesChecked.incrementAndGet();
                            } else if (info != null) {
                                failures.add(new AssertionError("wrong pixels in " + info));
                            }
                        } else if (kind == 1) {
                            r.visitLatest((info, pixels) -> {
                                if (TestRings.verify(pixels, 0, pixels.remaining(),
                                        info.sequence() + 1000 * info.generation())) {
                                    framesChecked.incrementAndGet();
                                }
                            });
                        } else {
                            r.status();
                            r.format();
                            r.publishedSequence();
                            dst.clear();
                            r.awaitAfter(r.generation(), r.publishedSequence(), dst, TimeUnit.MILLISECONDS.toNanos(2));
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        try {
            for (int replacement = 0; replacement < 40; replacement++) {
                RingWriter w = writers.get(writers.size() - 1);
                for (long seq = 1; seq <= 20; seq++) {
                    w.publish(TestRings.frame((int) w.format().frameBytes(), seq + 1000 * w.generation()), 1, 1, 0, true);
                }
                // let the readers follow before the next replacement (a reader may also skip a ring: no matter)
                for (int look = 0; look < 200 && r.generation() != w.generation(); look++) {
                    Thread.onSpinWait();
                }
                writers.add(w.replace(replacement % 2 == 0 ? LARGER : SMALL));
                inodes.add(inode(ring));
            }
            RingWriter last = writers.get(writers.size() - 1);
            last.publish(TestRings.frame((int) last.format().frameBytes(), 1 + 1000 * last.generation()), 1, 1, 0, true);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        assertThat(failures).isEmpty();
        assertThat(framesChecked.get()).isPositive();
        assertThat(r.readLatest(ByteBuffer.allocate(maxBytes)).generation()).isEqualTo(writers.size());
        if (FileMapping.unmapsAtOnce()) {
            for (int i = 0; i < inodes.size() - 1; i++) {
                assertThat(mappings(inodes.get(i))).as("mappings of ring %d", i + 1).isEqualTo(1);
            }
            assertThat(mappings(inodes.get(inodes.size() - 1))).isEqualTo(2);
        }
        r.close();
        for (RingWriter w : writers) {
            w.close();
        }
    }

    private static long inode(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    }

    /** How many mappings of this process are of the file with {@code inode} in the test's ring directory. */
    private long mappings(long inode) {
        try {
            String dirName = dir.getParent().getFileName().toString();
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .map(line -> line.trim().split("\\s+", 6))
                    .filter(f -> f.length == 6 && f[5].contains(dirName) && Long.parseLong(f[4]) == inode)
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
