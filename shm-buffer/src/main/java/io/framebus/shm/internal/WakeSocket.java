package io.framebus.shm.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A ring's wake-up socket (docs/shm-format.md, "The wake-up socket"): a Unix stream socket next to the ring file
 * that a reader in another process may connect to, and that gets one byte per published frame, so such a reader
 * can block until a frame comes instead of predicting it. The byte is only a hint to look at the ring; every
 * rule of reading the ring stays.
 *
 * <p>Everything is non-blocking and happens on the publishing thread: pending connections are accepted (at most
 * every 5 ms) and each connected reader is sent its byte at {@link #wake()}. A reader that does not read its bytes fills its socket
 * buffer and then gets none (it has bytes waiting already); one that went away is dropped. No thread, no
 * selector.
 *
 * <p>Why a socket served by the writer: blocking on the writer's own signal is one wake-up, which on this
 * project's test machine has a p99 of 0.2-0.3 ms, against 1.2 ms and more for the timed sleep of a reader that
 * predicts (docs/benchmarks.md, "Python client"); a futex word in the ring would need native code in the Java
 * writer, and a socket served by the manager adds a second wake-up on the way.
 */
public final class WakeSocket implements AutoCloseable {
    /**
     * Pending connections are accepted at most this often (an accept is a system call even when nobody connects):
     * at every frame of a camera, at most 200 times a second for a writer flat out.
     */
    static final long ACCEPT_EVERY_NANOS = 5_000_000;
    /**
     * Readers served at most: each costs the publishing thread one write per frame and the process a file
     * descriptor. A reader beyond it is closed at once (it sees end of file and predicts instead).
     */
    public static final int MAX_READERS = 64;

    private final Path path;
    private final Object fileKey;
    private final ServerSocketChannel server;
    private final List<SocketChannel> readers = new ArrayList<>();
    private final ByteBuffer one = ByteBuffer.allocateDirect(1);
    private boolean closed;
    private long acceptedAt = System.nanoTime() - ACCEPT_EVERY_NANOS;

    private WakeSocket(Path path, Object fileKey, ServerSocketChannel server) {
        this.path = path;
        this.fileKey = fileKey;
        this.server = server;
    }

    /**
     * Binds the socket at {@code path}, replacing whatever is there (the socket of an earlier writer of the same
     * ring, alive or dead, or debris); mode 0600.
     *
     * @throws IOException when it cannot be bound (e.g. a path longer than the 107 bytes a Unix socket allows)
     */
    public static WakeSocket bind(Path path) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), 2 * MAX_READERS);
            server.configureBlocking(false);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            return new WakeSocket(path, key, server);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Readers connected so far (after the last {@link #wake()}). */
    public synchronized int readers() {
        return readers.size();
    }

    /** Accepts the readers that connected since the last call and sends every reader one byte. */
    public synchronized void wake() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        if (now - acceptedAt >= ACCEPT_EVERY_NANOS) {
            acceptedAt = now;
            try {
                for (SocketChannel c = server.accept(); c != null; c = server.accept()) {
                    if (readers.size() >= MAX_READERS) {
                        closeQuietly(c);
                        continue;
                    }
                    c.configureBlocking(false);
                    readers.add(c);
                }
            } catch (IOException e) {
                // the socket is broken: the connected readers still get their byte
            }
        }
        for (Iterator<SocketChannel> it = readers.iterator(); it.hasNext(); ) {
            SocketChannel c = it.next();
            try {
                one.clear();
                c.write(one); // 0 bytes written: its buffer is full of bytes it has not read, which wake it anyway
            } catch (IOException gone) {
                it.remove();
                closeQuietly(c);
            }
        }
    }

    /** Closes the socket and every connection (readers see end of file), and removes the file if it is still ours. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        readers.forEach(WakeSocket::closeQuietly);
        readers.clear();
        closeQuietly(server);
        try {
            if (fileKey != null && fileKey.equals(Files.readAttributes(path, BasicFileAttributes.class).fileKey())) {
                Files.deleteIfExists(path); // a newer writer of the same ring may have bound its own socket here
            }
        } catch (NoSuchFileException gone) {
            // removed already
        } catch (IOException e) {
            // left for the ring directory's cleanup (RingDirectory.removeStale)
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
