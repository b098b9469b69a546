package io.framebus.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/** Test helpers: a private ring directory on /dev/shm and frames whose every byte derives from their sequence. */
final class TestRings {
    private TestRings() {
    }

    static Path newRingDirectory() {
        try {
            Path shm = Paths.get("/dev/shm");
            return Files.createTempDirectory(Files.isDirectory(shm) ? shm : Paths.get(System.getProperty("java.io.tmpdir")),
                    "framebus-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Byte {@code i} of frame {@code seq}: any mix of two frames fails {@link #verify}. */
    static byte patternByte(long seq, int i) {
        long x = seq * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L;
        return (byte) (x ^ (x >>> 29));
    }

    static void fill(ByteBuffer dst, long seq) {
        int n = dst.remaining();
        int base = dst.position();
        for (int i = 0; i < n; i++) {
            dst.put(base + i, patternByte(seq, i));
        }
    }

    static ByteBuffer frame(int bytes, long seq) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes);
        fill(b, seq);
        return b;
    }

    /** True when every byte of {@code src} (from position, {@code length} bytes) belongs to frame {@code seq}. */
    static boolean verify(ByteBuffer src, int offset, int length, long seq) {
        for (int i = 0; i < length; i++) {
            if (src.get(offset + i) != patternByte(seq, i)) {
                return false;
            }
        }
        return true;
    }
}
