package io.framebus.shm;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ring's wake-up socket (docs/shm-format.md): a reader that connects gets one byte per published frame, end of
 * file when the writer closes; the socket goes with the ring, a newer writer's socket replaces an older one's and
 * survives the older writer's close, and the directory's cleanup removes the socket of a killed writer.
 */
class WakeSocketTest {
    private static final FrameFormat SMALL = new FrameFormat(64, 48, PixelFormat.GRAY8);

    private Path dir;
    private Path ring;
    private Path wake;

    @BeforeEach
    void setUp() {
        dir = TestRings.newRingDirectory().resolve("rings");
        ring = RingDirectory.ringPath(dir, "front");
        wake = RingDirectory.wakeSocket(ring);
    }

    @AfterEach
    void tearDown() {
        TestRings.deleteRecursively(dir.getParent());
    }

    @Test
    void aConnectedReaderGetsOneBytePerFrameAndEndOfFileAtClose() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4)) {
            assertThat(wake.getFileName().toString()).isEqualTo("front.ring.wake");
            assertThat(w.wakeSocket()).isEqualTo(wake);
            try (SocketChannel reader = connect(wake)) {
                publish(w, 1);
                assertThat(read(reader, 1)).isEqualTo(1);
                publish(w, 2);
                publish(w, 3);
                assertThat(read(reader, 2)).isEqualTo(2); // one byte per frame, none for a heartbeat
                w.heartbeat();
                w.state(RingState.STREAMING);
                reader.configureBlocking(false);
                assertThat(reader.read(ByteBuffer.allocate(8))).isZero();
                reader.configureBlocking(true);
                w.close();
                assertThat(reader.read(ByteBuffer.allocate(8))).isEqualTo(-1); // the writer is gone: end of file
            }
            assertThat(wake).doesNotExist();
            assertThat(ring).exists(); // close() leaves the ring for its readers, the socket goes
        }
    }

    @Test
    void aReaderThatGoesAwayIsDroppedAndTheOthersStillGetTheirBytes() throws Exception {
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4);
             SocketChannel stays = connect(wake)) {
            SocketChannel leaves = connect(wake);
            publish(w, 1);
            leaves.close();
            publish(w, 2);
            publish(w, 3); // the write to the closed reader fails at one of these: dropped, no exception
            assertThat(read(stays, 3)).isEqualTo(3);
        }
    }

    @Test
    void aReaderBeyondTheLimitIsClosedAndTheOthersAreServed() throws Exception {
        java.util.List<SocketChannel> readers = new java.util.ArrayList<>();
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4)) {
            for (int i = 0; i <= io.framebus.shm.internal.WakeSocket.MAX_READERS; i++) {
                readers.add(connect(wake));
            }
            publish(w, 1);
            SocketChannel last = readers.get(readers.size() - 1);
            assertThat(last.read(ByteBuffer.allocate(8))).isEqualTo(-1); // one too many: closed, it predicts
            for (SocketChannel served : readers.subList(0, readers.size() - 1)) {
                assertThat(read(served, 1)).isEqualTo(1);
            }
        } finally {
            for (SocketChannel c : readers) {
                c.close();
            }
        }
    }

    @Test
    void aNewWritersSocketReplacesTheOldOneAndOutlivesTheOldWritersClose() throws Exception {
        RingWriter first = RingWriter.create(ring, "front", SMALL, 4);
        RingWriter second = first.replace(new FrameFormat(32, 24, PixelFormat.GRAY8));
        try (SocketChannel reader = connect(wake)) {
            first.close();
            assertThat(wake).exists();
            publish(second, 1);
            assertThat(read(reader, 1)).isEqualTo(1); // connected to the second writer
        } finally {
            second.closeAndDelete();
        }
        assertThat(wake).doesNotExist();
        assertThat(ring).doesNotExist();
    }

    @Test
    void theSocketOfAWriterThatDiedIsReplacedByTheNextWriterAndRemovedWithItsRing() throws Exception {
        RingDirectory.ensure(dir);
        Files.writeString(wake, "debris of a killed writer");
        try (RingWriter w = RingWriter.create(ring, "front", SMALL, 4); SocketChannel reader = connect(wake)) {
            publish(w, 1);
            assertThat(read(reader, 1)).isEqualTo(1);
        }
        // the writer closed its ring (stale now) and its socket; debris of a killed one is left like this:
        Files.writeString(wake, "debris of a killed writer");
        assertThat(RingDirectory.removeStale(dir)).contains(ring);
        assertThat(wake).doesNotExist();
        Files.writeString(wake, "a socket whose ring is gone");
        assertThat(RingDirectory.removeStale(dir)).isEmpty(); // sockets are removed, not listed
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void deleteRingRemovesTheSocketToo() throws Exception {
        RingWriter w = RingWriter.create(ring, "front", SMALL, 4);
        assertThat(wake).exists();
        RingDirectory.deleteRing(ring); // what a supervisor does after its writer was killed
        assertThat(dir).isEmptyDirectory();
        w.close();
    }

    @Test
    void aPathTooLongForAUnixSocketLeavesTheRingWithoutOne() throws Exception {
        Path deep = dir.resolve("d".repeat(60)).resolve("e".repeat(60));
        Path longRing = RingDirectory.ringPath(deep, "front");
        try (RingWriter w = RingWriter.create(longRing, "front", SMALL, 4)) {
            assertThat(w.wakeSocket()).isNull();
            publish(w, 1); // no socket, no failure
            assertThat(w.publishedSequence()).isEqualTo(1);
        }
    }

    private static void publish(RingWriter w, int seed) {
        w.publish(TestRings.frame((int) w.format().frameBytes(), seed), seed, seed, 0, true);
    }

    private static SocketChannel connect(Path socket) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        return c;
    }

    /** Reads until {@code expected} bytes came (blocking), and returns how many. */
    private static int read(SocketChannel c, int expected) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64);
        int total = 0;
        while (total < expected) {
            int n = c.read(b);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
