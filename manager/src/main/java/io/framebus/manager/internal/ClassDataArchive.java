package io.framebus.manager.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * The application class-data-sharing archive of the capture program: every capture JVM maps the same read-only
 * archive, so 16 cameras share one copy of the class metadata and start faster (docs/capture-process.md measured
 * 7 MB less unique memory and 0.1 s less to the first frame per process).
 *
 * <p>On Java 17 an archive is made by one run with {@code -XX:ArchiveClassesAtExit}; this class makes it once, in
 * the background, with a short test-pattern run, and names it after everything the JVM checks before it uses one
 * (java, and the path, size and time stamp of every capture jar), so a new JVM, a new capture build or a copy of
 * the installation at another path gets its own archive. A missing or stale archive only costs speed: the
 * JVM ignores an archive it cannot use.
 */
final class ClassDataArchive {
    private final Path file;
    private volatile Process maker;

    private ClassDataArchive(Path file) {
        this.file = file;
    }

    static ClassDataArchive in(Path cacheDir, Path java, Path captureHome) throws IOException {
        CRC32 crc = new CRC32();
        crc.update((java.toAbsolutePath() + System.getProperty("java.vm.version", "")).getBytes(StandardCharsets.UTF_8));
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(captureHome.resolve("lib"), "*.jar")) {
            ds.forEach(jars::add);
        }
        jars.sort(null);
        for (Path jar : jars) {
            // what the JVM validates before it maps an archive: each class path entry's path, size and time stamp
            // (a copy of the installation elsewhere, or jars rewritten by a Karaf feature install, need their own)
            String entry = jar.toAbsolutePath() + "|" + Files.size(jar) + "|" + Files.getLastModifiedTime(jar).toMillis();
            crc.update(entry.getBytes(StandardCharsets.UTF_8));
        }
        Path file = cacheDir.resolve("capture-" + Long.toHexString(crc.getValue()) + ".jsa");
        removeOldArchives(cacheDir, file);
        return new ClassDataArchive(file);
    }

    /** Archives of other builds that nobody used for a week: another installation may still use a recent one. */
    private static void removeOldArchives(Path cacheDir, Path keep) {
        if (!Files.isDirectory(cacheDir)) {
            return;
        }
        long weekAgo = System.currentTimeMillis() - java.util.concurrent.TimeUnit.DAYS.toMillis(7);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(cacheDir, "capture-*.jsa")) {
            for (Path old : ds) {
                if (!old.equals(keep) && Files.getLastModifiedTime(old).toMillis() < weekAgo) {
                    Files.deleteIfExists(old);
                }
            }
        } catch (IOException ignored) {
            // housekeeping only
        }
    }

    /** Ends an archive run still in progress (the manager is stopping). */
    void cancel() {
        Process p = maker;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }

    boolean exists() {
        return Files.isRegularFile(file);
    }

    /** The JVM option that uses the archive. */
    String option() {
        return "-XX:SharedArchiveFile=" + file;
    }

    /**
     * Runs the capture program once on a small test pattern until its first frame, then closes its stdin so that it
     * exits normally and the JVM writes the archive. Returns when done; failures leave no archive behind.
     */
    void create(Path java, List<String> jvmArgs, Path captureHome, Path ringDirectory) throws IOException,
            InterruptedException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmArgs);
        cmd.add("-XX:ArchiveClassesAtExit=" + tmp);
        cmd.add("-cp");
        cmd.add(captureHome.resolve("lib") + "/*");
        cmd.add("io.framebus.capture.CaptureMain");
        Path ring = ringDirectory.resolve(".cds-" + ProcessHandle.current().pid() + ".ring");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        maker = p;
        try (OutputStream in = p.getOutputStream(); InputStream doorbell = p.getInputStream()) {
            in.write(("cameraId=cds\nurl=testsrc:size=64x48:rate=25\nringPath=" + ring + "\nfps=0\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            in.flush();
            doorbell.read(); // the first published frame: every class of the capture path is loaded
        } finally {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            io.framebus.shm.RingDirectory.deleteRing(ring);
        }
        if (p.exitValue() == 0 && Files.size(tmp) > 0) {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.deleteIfExists(tmp);
            throw new IOException("the archive run exited with " + p.exitValue());
        }
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
