package io.framebus.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framebus.api.Frame;
import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.PixelFormat;
import io.framebus.api.Subscription;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameDispatcherTest {
    private static final FrameFormat FORMAT = new FrameFormat(2, 2, PixelFormat.GRAY8);

    private final FramePool framePool = new FramePool();
    private final AtomicReference<FrameInfo> newest = new AtomicReference<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final FrameDispatcher dispatcher = new FrameDispatcher(this::copyOfNewest,
            (generation, after, listener) -> io.framebus.shm.RingReader.ViewResult.NONE, (what, e) -> errors.add(what));
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void aSlowListenerGetsTheNewestFrameNeverABacklog() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> received = new CopyOnWriteArrayList<>();
        Subscription s = dispatcher.subscribe(f -> {
            received.add(f.sequence());
            if (f.sequence() == 1) {
                busy.countDown();
                awaitQuietly(release);
            }
        }, pool);
        publish(1);
        assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
        for (long seq = 2; seq <= 10; seq++) {
            publish(seq);  // the listener is still busy with frame 1
        }
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
        assertThat(received).containsExactly(1L, 10L);
        assertThat(s.skippedFrames()).isEqualTo(8);
    }

    @Test
    void oneListenersExceptionDoesNotAffectTheOthers() {
        List<Long> good = new CopyOnWriteArrayList<>();
        dispatcher.subscribe(f -> {
            throw new IllegalStateException("bad listener");
        }, Runnable::run);
        dispatcher.subscribe(f -> good.add(f.sequence()), Runnable::run);
        for (long seq = 1; seq <= 3; seq++) {
            publish(seq);
        }
        assertThat(good).containsExactly(1L, 2L, 3L);
        assertThat(errors).hasSize(3).allMatch(e -> e.contains("failed"));
    }

    @Test
    void aFrameIsDeliveredOnceAndNotAfterClose() {
        List<Long> got = new CopyOnWriteArrayList<>();
        Subscription s = dispatcher.subscribe(f -> got.add(f.sequence()), Runnable::run);
        publish(1);
        dispatcher.frameArrived(); // the doorbell rang again for the same frame
        s.close();
        publish(2);
        assertThat(got).containsExactly(1L);
        assertThat(dispatcher.hasSubscribers()).isFalse();
    }

    @Test
    void aRefusingExecutorIsReportedNotThrown() {
        dispatcher.subscribe(f -> { }, r -> {
            throw new java.util.concurrent.RejectedExecutionException("full");
        });
        publish(1);
        assertThat(errors).containsExactly("executor of a frame listener refused a delivery");
    }

    @Test
    void closedFramesAreReusedAndNeverWhileAListenerHoldsThem() {
        List<Frame> kept = new CopyOnWriteArrayList<>();
        dispatcher.subscribe(Frame::close, Runnable::run);
        dispatcher.subscribe(kept::add, Runnable::run); // keeps frames 1 and 2 open
        publish(1);
        publish(2);
        assertThat(framePool.allocations()).isEqualTo(2);
        assertThat(kept.get(0).toByteArray()).containsOnly((byte) 1);

        kept.get(0).close(); // now both subscribers are done with frame 1: its buffer is free
        publish(3);
        assertThat(framePool.allocations()).isEqualTo(2);
        assertThat(framePool.reuses()).isEqualTo(1);
        assertThat(kept.get(1).toByteArray()).containsOnly((byte) 2); // still open: never overwritten
        assertThat(kept.get(2).toByteArray()).containsOnly((byte) 3);
        assertThat(kept.get(0).isClosed()).isTrue();
    }

    @Test
    void framesReplacedBeforeDeliveryOrLeftAtCloseGoBackToThePool() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Subscription s = dispatcher.subscribe(f -> {
            try (f) {
                busy.countDown();
                awaitQuietly(release);
            }
        }, pool);
        publish(1);
        assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
        for (long seq = 2; seq <= 20; seq++) {
            publish(seq); // each replaces the pending one, which is closed: its buffer is reused by the next
        }
        assertThat(framePool.allocations()).isLessThanOrEqualTo(3);
        s.close(); // closes the pending frame 20
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> framePool.reuses() + framePool.allocations() == 20);
        publish(21);
        publish(22);
        assertThat(framePool.allocations()).isLessThanOrEqualTo(3);
    }

    @Test
    void aFrameIsDeliveredWithItsOwnPixels() {
        List<byte[]> got = new CopyOnWriteArrayList<>();
        dispatcher.subscribe(f -> {
            try (f) {
                got.add(f.toByteArray());
            }
        }, Runnable::run);
        publish(7);
        publish(8);
        assertThat(got).hasSize(2);
        assertThat(got.get(0)).containsOnly((byte) 7);
        assertThat(got.get(1)).containsOnly((byte) 8);
    }

    private FramePool.Copy copyOfNewest() {
        FrameInfo info = newest.get();
        if (info == null) {
            return null;
        }
        ByteBuffer b = framePool.acquire((int) FORMAT.frameBytes());
        while (b.hasRemaining()) {
            b.put((byte) info.sequence()); // stands for the ring's copy: every byte tells the frame it came from
        }
        return framePool.new Copy(info, b.flip());
    }

    private void publish(long seq) {
        newest.set(new FrameInfo("cam", seq, 1, 0, System.nanoTime(), FrameInfo.NO_PTS, FORMAT, false));
        dispatcher.frameArrived();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
