package io.framebus.distribution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What the tests that run an unpacked copy of the Felix distribution (bin/framebus) share. */
final class DistributionCopies {
    private DistributionCopies() {
    }

    /** Capture processes of the copy at {@code home}, alive anywhere on the host (after its runtime stopped: orphans). */
    static List<ProcessHandle> captureProcesses(Path home) {
        String marker = home.resolve("capture").toString();
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains("io.framebus.capture.CaptureMain")
                        && c.contains(marker)).orElse(false))
                .collect(Collectors.toList());
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
