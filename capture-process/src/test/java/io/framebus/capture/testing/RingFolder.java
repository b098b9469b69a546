package io.framebus.capture.testing;

import io.framebus.shm.RingDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A private ring directory for one test, {@code /dev/shm/framebus-test-<random>} (mode 0700, as rings require),
 * removed with everything in it by {@link #close()}.
 */
public final class RingFolder implements AutoCloseable {
    private final Path dir;

    private RingFolder(Path dir) {
        this.dir = dir;
    }

    public static RingFolder create() throws IOException {
        Path shm = Paths.get("/dev/shm");
        Path base = Files.isDirectory(shm) ? shm : Paths.get(System.getProperty("java.io.tmpdir"));
        Path dir = base.resolve("framebus-test-" + UUID.randomUUID().toString().substring(0, 8));
        RingDirectory.ensure(dir);
        return new RingFolder(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Where camera {@code cameraId}'s ring goes. */
    public Path ring(String cameraId) {
        return RingDirectory.ringPath(dir, cameraId);
    }

    /** Whether the folder holds any file (rings, temporary files). */
    public boolean isEmpty() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
