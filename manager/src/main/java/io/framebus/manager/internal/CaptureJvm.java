package io.framebus.manager.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.osgi.service.log.Logger;

/**
 * How capture JVMs are started: which java, which options, from which folder, and the class-data archive that every
 * capture JVM maps once it exists (made once in the background, {@link ClassDataArchive}). Immutable but for the
 * archive, which appears once.
 */
final class CaptureJvm {
    private final Path java;
    private final List<String> baseArgs;
    private final Path captureHome;
    private volatile ClassDataArchive archive;
    private volatile ClassDataArchive archiveInProgress;

    CaptureJvm(Path java, List<String> baseArgs, Path captureHome) {
        this.java = java;
        this.baseArgs = List.copyOf(baseArgs);
        this.captureHome = captureHome;
    }

    Path java() {
        return java;
    }

    Path captureHome() {
        return captureHome;
    }

    /** The options of a camera: the manager's, the archive's, then the camera's own. */
    List<String> args(List<String> cameraArgs) {
        List<String> all = new ArrayList<>(standbyArgs());
        all.addAll(cameraArgs);
        return all;
    }

    /** The options of a camera without options of its own, which a standby process is started with. */
    List<String> standbyArgs() {
        List<String> all = new ArrayList<>(baseArgs);
        ClassDataArchive cds = archive;
        if (cds != null) {
            all.add(cds.option());
        }
        return all;
    }

    StandbyProcess startStandby(List<String> args) throws IOException {
        return StandbyProcess.start(java, args, captureHome);
    }

    CaptureProcess start(String cameraId, List<String> args, String document, Runnable doorbell,
                         Consumer<String> captureLog) throws IOException {
        return CaptureProcess.start(cameraId, java, args, captureHome, document, doorbell, captureLog);
    }

    /**
     * Uses the archive in {@code cacheDir} if it exists, else makes it on a thread of its own and calls
     * {@code ready} once cameras started from then on can use it.
     */
    void prepareArchive(Path cacheDir, Path ringDirectory, Logger log, Runnable ready) {
        try {
            ClassDataArchive cds = ClassDataArchive.in(cacheDir, java, captureHome);
            if (cds.exists()) {
                archive = cds;
                return;
            }
            archiveInProgress = cds;
            Thread maker = new Thread(() -> {
                try {
                    cds.create(java, baseArgs, captureHome, ringDirectory);
                    archive = cds;
                    log.info("class-data archive for capture processes: {}", cds);
                    ready.run();
                } catch (IOException | RuntimeException e) {
                    log.warn("no class-data archive for capture processes ({}); they start without", e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "framebus-cds");
            maker.setDaemon(true);
            maker.start();
        } catch (IOException e) {
            log.warn("no class-data archive for capture processes ({})", e.toString());
        }
    }

    /** Stops making the archive, if that is under way. */
    void cancelArchive() {
        ClassDataArchive making = archiveInProgress;
        if (making != null) {
            making.cancel();
        }
    }
}
