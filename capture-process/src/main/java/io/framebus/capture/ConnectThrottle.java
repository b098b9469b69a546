package io.framebus.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * A host-wide token bucket for reconnect attempts, shared by every capture process of one user: a hundred cameras
 * behind one recorder that comes back do not all reconnect in the same instant, they take turns at
 * {@value #RATE_PER_SECOND} attempts per second (bursts of {@value #BURST}).
 *
 * <p>Capture processes are separate OS processes with no channel to each other, so the bucket is a 16-byte file next
 * to the default ring directory ({@code /dev/shm/framebus-<user>.connect-throttle}, mode 0600): the time of its last
 * refill on the host's monotonic clock ({@code System.nanoTime()} is CLOCK_MONOTONIC on Linux, the same in every
 * process) and the tokens left. Each attempt locks the file ({@code fcntl} lock through {@link FileChannel#lock()},
 * released by the kernel if the process dies), refills, takes a token or learns how long to wait, and unlocks: a
 * few microseconds under the lock, no daemon, nothing to clean up (a stale file from before a reboot is noticed by
 * its refill time lying in the future and counts as a full bucket). When the file cannot be used (another user
 * owns the name, no /dev/shm), attempts are not throttled: the throttle must never stop a camera.
 *
 * <p>Only reconnects are throttled, not the first connect of a process: the manager already starts cameras one by
 * one, and a first picture should not wait.
 */
final class ConnectThrottle {
    static final double RATE_PER_SECOND = 10;
    static final int BURST = 10;
    private static final int BYTES = 16;

    private final Path file;
    private final LongSupplier clock;
    private boolean broken;

    ConnectThrottle(Path file, LongSupplier clock) {
        this.file = file;
        this.clock = clock;
    }

    /** The bucket of this user on this host. */
    static ConnectThrottle forHost() {
        Path rings = io.framebus.shm.RingDirectory.defaultDirectory();
        return new ConnectThrottle(rings.resolveSibling(rings.getFileName() + ".connect-throttle"), System::nanoTime);
    }

    Path file() {
        return file;
    }

    /**
     * Takes a token if there is one.
     *
     * @return 0 when the attempt may go ahead now, else nanoseconds to wait before asking again (with a little
     *         jitter, so that waiting processes do not all come back at the same instant)
     */
    long tryAcquire() {
        if (broken) {
            return 0;
        }
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
             FileLock ignored = ch.lock()) {
            ByteBuffer b = ByteBuffer.allocate(BYTES);
            while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
                // read the whole state
            }
            long now = clock.getAsLong();
            long last;
            double tokens;
            if (b.position() < BYTES) {
                last = now;
                tokens = BURST;
            } else {
                last = b.getLong(0);
                tokens = Double.longBitsToDouble(b.getLong(8));
                if (last - now > 0 || !(tokens >= 0) || tokens > BURST) {
                    last = now; // from before a reboot, or garbage: a full bucket
                    tokens = BURST;
                }
            }
            tokens = Math.min(BURST, tokens + (now - last) / 1e9 * RATE_PER_SECOND);
            long wait = 0;
            if (tokens >= 1) {
                tokens -= 1;
            } else {
                long needNanos = (long) ((1 - tokens) / RATE_PER_SECOND * 1e9);
                wait = needNanos + ThreadLocalRandom.current().nextLong(needNanos / 2 + 1);
            }
            b.clear();
            b.putLong(0, now).putLong(8, Double.doubleToRawLongBits(tokens));
            ch.write(b, 0);
            return Math.max(0, wait);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            broken = true; // not throttled from now on; the loop says so once
            return 0;
        }
    }

    /** Whether the bucket file could not be used (attempts are then not throttled). */
    boolean broken() {
        return broken;
    }
}
