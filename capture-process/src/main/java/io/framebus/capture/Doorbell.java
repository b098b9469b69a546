package io.framebus.capture;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One byte on stdout per published frame, so the parent (the manager) can block on the pipe instead of polling
 * the ring: it costs nothing while a camera is idle and wakes the parent within microseconds.
 *
 * <p>The bytes are written by a thread of their own, never by the capture thread: a parent that stops reading
 * fills the pipe (64 KiB) and then every write blocks; the capture loop must not block with it. While the writer
 * is blocked, rings add up and are written together later (the parent reads the ring's sequence anyway, the byte
 * only wakes it). A closed or broken stdout (the parent does not want the bell) silently turns the bell off, and
 * so does a terminal (someone running the program by hand).
 */
final class Doorbell implements AutoCloseable {
    private static final int CHUNK = 256;

    private final OutputStream out;
    private final AtomicLong pending = new AtomicLong();
    private final Thread thread;
    private volatile boolean off;

    Doorbell(OutputStream out) {
        this.out = out;
        this.thread = new Thread(this::run, "doorbell");
        thread.setDaemon(true);
    }

    /** The bell on the process's real stdout (fd 1), off when that is a terminal. */
    static Doorbell onStdout() {
        Doorbell bell = new Doorbell(new FileOutputStream(FileDescriptor.out));
        if (stdoutIsTerminal()) {
            bell.off = true;
        }
        return bell;
    }

    Doorbell start() {
        if (!off) {
            thread.start();
        }
        return this;
    }

    /** Rings once; never blocks. */
    void ring() {
        if (!off && pending.getAndIncrement() == 0) {
            LockSupport.unpark(thread);
        }
    }

    boolean isOff() {
        return off;
    }

    private void run() {
        byte[] bytes = new byte[CHUNK];
        java.util.Arrays.fill(bytes, (byte) 1);
        while (!off) {
            long n = pending.getAndSet(0);
            if (n == 0) {
                LockSupport.park(this);
                continue;
            }
            try {
                while (n > 0) {
                    int len = (int) Math.min(n, CHUNK);
                    out.write(bytes, 0, len);
                    n -= len;
                }
                out.flush();
            } catch (IOException brokenPipe) {
                off = true; // the parent closed its end: it does not want the bell
            }
        }
    }

    @Override
    public void close() {
        off = true;
        LockSupport.unpark(thread);
    }

    private static boolean stdoutIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException notLinux) {
            return false;
        }
    }
}
