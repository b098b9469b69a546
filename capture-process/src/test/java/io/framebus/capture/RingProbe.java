package io.framebus.capture;


import io.framebus.api.FrameInfo;
import io.framebus.capture.testing.CaptureProcess;
import io.framebus.shm.RingReader;
import io.framebus.shm.RingState;
import io.framebus.shm.RingStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Callable;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/** Reads a capture process's ring the way a consumer would, with the waits the ITs need. */
final class RingProbe implements AutoCloseable {
    static final Duration STARTUP = Duration.ofSeconds(20);

    private final RingReader reader;
    private final CaptureProcess process;

    private RingProbe(RingReader reader, CaptureProcess process) {
        this.reader = reader;
        this.process = process;
    }

    /** Waits until the process has created its ring, and opens it. */
    static RingProbe open(Path ring, CaptureProcess process) {
        AtomicReference<RingReader> opened = new AtomicReference<>();
        until(process, STARTUP, () -> {
            try {
                opened.set(RingReader.open(ring));
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
        return new RingProbe(opened.get(), process);
    }

    /**
     * Waits for {@code condition} while the process lives; a timeout or the process's death fails with its stderr
     * in the message.
     */
    static void until(CaptureProcess process, Duration atMost, Callable<Boolean> condition) {
        try {
            org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(20))
                    .failFast("capture process exited", () -> !process.isAlive())
                    .until(condition);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError(e.getMessage() + "\n--- capture process stderr ---\n" + process.stderr(), e);
        }
    }

    RingReader reader() {
        return reader;
    }

    RingStatus status() {
        return reader.status();
    }

    RingState state() {
        return reader.status().state();
    }

    void awaitState(RingState state, Duration atMost) {
        until(process, atMost, () -> reader.status().state() == state);
    }

    /** Waits until at least {@code n} frames of the current generation are published. */
    void awaitPublished(long n, Duration atMost) {
        until(process, atMost, () -> reader.publishedSequence() >= n);
    }

    /** Copies the newest frame (waiting for one) into a fresh buffer; returns its info, buffer at position 0. */
    Frame latest(Duration atMost) {
        AtomicReference<Frame> got = new AtomicReference<>();
        until(process, atMost, () -> {
            ByteBuffer dst = ByteBuffer.allocate((int) reader.format().frameBytes());
            FrameInfo info = reader.readLatest(dst);
            if (info == null || info.format().frameBytes() != dst.capacity()) {
                return false;
            }
            got.set(new Frame(info, dst.flip()));
            return true;
        });
        return got.get();
    }

    @Override
    public void close() {
        reader.close();
    }

    /** A copied frame. */
    record Frame(FrameInfo info, ByteBuffer pixels) {
        int at(int index) {
            return pixels.get(index) & 0xFF;
        }
    }
}
