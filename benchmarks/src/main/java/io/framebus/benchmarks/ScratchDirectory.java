package io.framebus.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A private (0700) directory on /dev/shm for one benchmark run's rings and baseline files, removed with
 * everything in it on {@link #close()} and, should the run be interrupted, by a shutdown hook.
 */
final class ScratchDirectory implements AutoCloseable {
    private final Path dir;
    private final Thread cleanup;

    private ScratchDirectory(Path dir) {
        this.dir = dir;
        this.cleanup = new Thread(this::deleteQuietly, "framebus-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** A new directory under /dev/shm (the temp dir where there is no /dev/shm), named after this process. */
    static ScratchDirectory create() throws IOException {
        Path shm = Paths.get("/dev/shm");
        Path base = Files.isDirectory(shm) ? shm : Paths.get(System.getProperty("java.io.tmpdir"));
        Path dir = Files.createTempDirectory(base, "framebus-bench-" + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return new ScratchDirectory(dir);
    }

    Path path() {
        return dir;
    }

    Path resolve(String name) {
        return dir.resolve(name);
    }

    @Override
    public void close() {
        deleteQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway; deleting twice is harmless
        }
    }

    private void deleteQuietly() {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not remove " + dir + ": " + e.getMessage());
        }
    }
}
