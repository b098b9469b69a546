package io.framebus.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameView;
import io.framebus.api.PixelFormat;
import io.framebus.api.Subscription;
import io.framebus.shm.RingReader;
import io.framebus.shm.RingWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * In-place push ({@code FrameSource.subscribeInPlace}) over a real ring, with the writer publishing flat out on
 * another thread into two slots: the rule "trust what you read only if {@link FrameView#intact()} says so after"
 * must hold for every frame, and the control shows the test does see frames overwritten under the reader.
 */
class InPlaceDeliveryTest {
    private static final FrameFormat FORMAT = new FrameFormat(256, 256, PixelFormat.GRAY8);

    private Path dir;
    private RingWriter writer;
    private RingReader reader;
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private Thread writerThread;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory(Paths.get("/dev/shm"), "framebus-test-inplace-");
        Path ring = dir.resolve("cam.ring");
        writer = RingWriter.create(ring, "cam", FORMAT, 2);
        reader = RingReader.open(ring);
        writerThread = new Thread(() -> {
            ByteBuffer frame = ByteBuffer.allocate((int) FORMAT.frameBytes());
            while (writing.get()) {
                long seq = writer.publishedSequence() + 1;
                fill(frame, seq);
                writer.publish(frame.clear(), 0, System.nanoTime(), 0, false);
            }
        }, "flat-out-writer");
        writerThread.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        writing.set(false);
        writerThread.join();
        executor.shutdownNow();
        writer.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static byte patternByte(long seq, int i) {
        return (byte) ((seq * 31 + i * 7 + (i >>> 8)) & 0xFF);
    }

    private static void fill(ByteBuffer frame, long seq) {
        frame.clear();
        for (int i = 0; i < frame.capacity(); i++) {
            frame.put(i, patternByte(seq, i));
        }
    }

    @Test
    void noTornFrameIsEverTakenForIntactAndTheControlSeesTearing() {
        FrameDispatcher dispatcher = new FrameDispatcher(() -> null, reader::viewNewest, (what, e) -> errors.add(what));
        AtomicLong delivered = new AtomicLong();
        AtomicLong intactButWrong = new AtomicLong();
        AtomicLong wrongAndFlagged = new AtomicLong();
        AtomicLong rightAndIntact = new AtomicLong();
        Subscription s = dispatcher.subscribeInPlace(view -> {
            delivered.incrementAndGet();
            ByteBuffer px = view.pixels();
            long seq = view.info().sequence();
            boolean allRight = true;
            for (int i = 0; i < px.capacity(); i++) { // slow on purpose: the writer laps two slots meanwhile
                allRight &= px.get(i) == patternByte(seq, i);
            }
            boolean intact = view.intact();
            if (intact && !allRight) {
                intactButWrong.incrementAndGet();
            } else if (!intact && !allRight) {
                wrongAndFlagged.incrementAndGet();
            } else if (intact) {
                rightAndIntact.incrementAndGet();
            }
        }, executor);
        // the doorbell: in the manager the capture process's pipe; here a thread ringing as fast as it can
        Thread bell = new Thread(() -> {
            while (writing.get() && (wrongAndFlagged.get() < 20 || rightAndIntact.get() < 20)) {
                dispatcher.frameArrived();
                Thread.onSpinWait();
            }
        });
        bell.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> wrongAndFlagged.get() >= 20 && rightAndIntact.get() >= 20);
        writing.set(false);
        s.close();
        assertThat(intactButWrong.get()).as("frames overwritten under the reader yet reported intact").isZero();
        assertThat(wrongAndFlagged.get()).as("control: the test does see frames overwritten while read").isPositive();
        assertThat(s.tornFrames()).as("torn deliveries are counted").isPositive();
        assertThat(errors).isEmpty();
    }

    @Test
    void aSlowListenerGetsTheNewestFrameOnlyOnceAndNeverTheSameTwice() {
        writing.set(false); // a quiet ring: frames published by the test
        try {
            writerThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        FrameDispatcher dispatcher = new FrameDispatcher(() -> null, reader::viewNewest, (what, e) -> errors.add(what));
        List<Long> seen = new CopyOnWriteArrayList<>();
        ByteBuffer frame = ByteBuffer.allocate((int) FORMAT.frameBytes());
        long start = writer.publishedSequence() + 1;
        fill(frame, start);
        writer.publish(frame.clear(), 0, System.nanoTime(), 0, false);
        Subscription s = dispatcher.subscribeInPlace(view -> seen.add(view.info().sequence()), Runnable::run);
        assertThat(seen).as("the frame published before subscribing comes first").containsExactly(start);
        for (int i = 1; i <= 5; i++) { // while the listener is "busy": no doorbell
            fill(frame, start + i);
            writer.publish(frame.clear(), 0, System.nanoTime(), 0, false);
        }
        dispatcher.frameArrived();
        dispatcher.frameArrived(); // no new frame: no second delivery
        assertThat(seen).containsExactly(start, start + 5);
        assertThat(s.skippedFrames()).isEqualTo(4);
        s.close();
        fill(frame, start + 6);
        writer.publish(frame.clear(), 0, System.nanoTime(), 0, false);
        dispatcher.frameArrived();
        assertThat(seen).as("nothing after close").containsExactly(start, start + 5);
    }
}
