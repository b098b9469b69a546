package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host-wide bucket on a clock the test moves; two instances on one file stand for two capture processes. */
class ConnectThrottleTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(5_000_000 * MS);

    @Test
    void aBurstGoesThroughThenAttemptsArePacedAcrossProcesses() throws Exception {
        Path file = dir.resolve("bucket");
        ConnectThrottle a = new ConnectThrottle(file, now::get);
        ConnectThrottle b = new ConnectThrottle(file, now::get);
        for (int i = 0; i < ConnectThrottle.BURST; i++) {
            assertThat((i % 2 == 0 ? a : b).tryAcquire()).as("attempt %d of the burst", i).isZero();
        }
        long wait = a.tryAcquire();
        long tokenNanos = (long) (1e9 / ConnectThrottle.RATE_PER_SECOND);
        assertThat(wait).as("the other process emptied the bucket").isBetween(tokenNanos * 9 / 10, tokenNanos * 16 / 10);
        assertThat(b.tryAcquire()).isPositive();
        now.addAndGet(tokenNanos + MS);
        assertThat(b.tryAcquire()).as("one token refilled").isZero();
        assertThat(a.tryAcquire()).isPositive();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aBucketFromBeforeARebootIsFull() throws Exception {
        Path file = dir.resolve("bucket");
        ConnectThrottle a = new ConnectThrottle(file, now::get);
        for (int i = 0; i < ConnectThrottle.BURST; i++) {
            a.tryAcquire();
        }
        now.set(1_000 * MS); // the monotonic clock started again
        assertThat(new ConnectThrottle(file, now::get).tryAcquire()).isZero();
    }

    @Test
    void anUnusableFileNeverStopsACamera() throws Exception {
        Path notAFile = Files.createDirectory(dir.resolve("taken"));
        ConnectThrottle t = new ConnectThrottle(notAFile, now::get);
        for (int i = 0; i < 3 * ConnectThrottle.BURST; i++) {
            assertThat(t.tryAcquire()).isZero();
        }
        assertThat(t.broken()).isTrue();
    }
}
