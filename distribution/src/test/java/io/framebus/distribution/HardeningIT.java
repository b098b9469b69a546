package io.framebus.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameSource;
import io.framebus.api.PixelFormat;
import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import io.framebus.manager.CameraRegistry;
import io.framebus.shm.RingDirectory;
import io.framebus.shm.RingWriter;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The manager and the capture process under the defects a review found: concurrent restarts, permanent exits, log
 * levels, options that would run code, passwords in query strings, a ring the camera does not own.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HardeningIT extends FramebusTestSupport {

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return baseOptions();
    }

    @Test
    public void restartsAskedForAtOnceEndWithOneCaptureProcess() throws Exception {
        camera("twice", testPattern("twice", 160, 120, 5));
        FrameSource twice = waitForSource("twice");
        SourceStatus before = waitForStatus(twice, Duration.ofSeconds(60), "streaming",
                s -> s.state() == SourceState.STREAMING, null);
        CameraRegistry registry = context.getService(context.getServiceReference(CameraRegistry.class));
        for (int round = 0; round < 3; round++) {
            // a web POST and the watchdog, or two POSTs: several threads restarting the same camera at once
            CountDownLatch go = new CountDownLatch(1);
            Thread[] threads = new Thread[4];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Thread(() -> {
                    try {
                        go.await();
                        registry.restart("twice");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                threads[i].start();
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            waitForStatus(twice, Duration.ofSeconds(60), "streaming after the restarts",
                    s -> s.state() == SourceState.STREAMING && s.pid() != before.pid(), null);
            waitFor(Duration.ofSeconds(30), "one capture process, no leaked one",
                    () -> captureProcesses().size() == 1);
        }
        Duration settle = Duration.ofSeconds(3);
        long until = System.nanoTime() + settle.toNanos();
        while (System.nanoTime() < until) { // and it stays one: no late spawn of a second restart
            assertEquals("capture processes " + captureProcesses(), 1, captureProcesses().size());
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // sampling interval, not a timing guess
        }
        assertTrue(twice.next(null, Duration.ofSeconds(30)).isPresent());
    }

    @Test
    public void aCaptureProgramThatCannotLoadFfmpegIsFailedAtOnceAndNotRestartedInALoop() throws Exception {
        // a copy of the capture program without FFmpeg's natives: exit 4, permanent
        Path lib = Paths.get(System.getProperty("framebus.capture.home"), "lib");
        Path home = Files.createTempDirectory(Paths.get(System.getProperty("framebus.test.tmp", "target/test-tmp"))
                .toAbsolutePath(), "capture-noffmpeg-");
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path copy = Files.createDirectory(home.resolve("lib"));
        try (Stream<Path> jars = Files.list(lib)) {
            for (Path jar : (Iterable<Path>) jars::iterator) {
                String name = jar.getFileName().toString();
                if (!(name.startsWith("ffmpeg-") && name.contains("linux"))) {
                    Files.createSymbolicLink(copy.resolve(name), jar.toAbsolutePath());
                }
            }
        }
        Path cache = Files.createTempDirectory(home, "cache-"); // no FFmpeg unpacked from earlier runs either
        Map<String, Object> manager = new HashMap<>(managerProperties());
        manager.put("ringDirectory", ringDirectory.toString());
        manager.put("captureHome", home.toString());
        manager.put("nativeCacheDirectory", cache.toString());
        manager.put("classDataSharing", false);
        int logBefore = osgiLog.size();
        configAdmin.getConfiguration("io.framebus.manager", "?").update(new java.util.Hashtable<>(manager));
        waitFor(Duration.ofSeconds(30), "manager on the copy", () -> osgiLog.stream().skip(logBefore)
                .anyMatch(l -> l.contains("capture program in " + home)));

        // a ring at the camera's path that a live writer of another runtime owns (here: this test)
        Path foreign = RingDirectory.ringPath(ringDirectory, "noffmpeg");
        RingWriter other = RingWriter.create(foreign, "noffmpeg", new FrameFormat(16, 16, PixelFormat.GRAY8), 2);
        try {
            org.osgi.service.cm.Configuration cfg = camera("noffmpeg", testPattern("noffmpeg", 160, 120, 5));
            CameraRegistry registry = context.getService(context.getServiceReference(CameraRegistry.class));
            SourceStatus failed = waitForValue(Duration.ofSeconds(60), "noffmpeg FAILED", () -> registry.statuses()
                    .stream().filter(s -> s.cameraId().equals("noffmpeg") && s.state() == SourceState.FAILED)
                    .findFirst().orElse(null));
            assertTrue(failed.lastError(), failed.lastError().contains("FFmpeg's native libraries could not be loaded")
                    && failed.lastError().contains("a restart cannot fix this"));
            assertEquals("not restarted in a loop", 0, failed.restarts());
            assertTrue("the capture process's own ERROR line is logged as an ERROR: " + osgiLog, osgiLog.stream()
                    .anyMatch(l -> l.startsWith("ERROR") && l.contains("capture [noffmpeg] FFmpeg's native libraries")));

            int beforeRemove = osgiLog.size();
            cfg.delete();
            waitFor(Duration.ofSeconds(30), "camera removed", () -> registry.statuses().stream()
                    .noneMatch(s -> s.cameraId().equals("noffmpeg")));
            waitFor(Duration.ofSeconds(30), "the camera stopped", () -> osgiLog.stream().skip(beforeRemove)
                    .anyMatch(l -> l.contains("not ours: left in place")));
            assertTrue("a ring of a live writer it did not start is left alone", Files.exists(foreign));
        } finally {
            other.close();
            Files.deleteIfExists(foreign);
            try (Stream<Path> s = Files.walk(home)) {
                s.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    public void optionsThatWouldRunCodeAreRefusedAndPasswordsInQueriesNeverShow() throws Exception {
        Map<String, Object> agent = testPattern("agent", 160, 120, 5);
        agent.put("jvmArgs", "-Xmx80m -javaagent:/tmp/evil.jar");
        int logBefore = osgiLog.size();
        camera("agent", agent);
        waitFor(Duration.ofSeconds(20), "agent refused", () -> osgiLog.stream().skip(logBefore)
                .anyMatch(l -> l.startsWith("ERROR") && l.contains("jvmArgs refuses -javaagent:/tmp/evil.jar")));

        Map<String, Object> query = testPattern("query", 160, 120, 5);
        query.put("url", "rtsp://127.0.0.1:9/live?user=admin&pwd=Qx7secret&channel=1"); // nobody listens on 9
        query.put("connectTimeout", 500);
        camera("query", query);
        CameraRegistry registry = context.getService(context.getServiceReference(CameraRegistry.class));
        SourceStatus down = waitForValue(Duration.ofSeconds(60), "query reconnecting with an error", () -> registry
                .statuses().stream().filter(s -> s.cameraId().equals("query") && !s.lastError().isEmpty()
                        && s.state() == SourceState.RECONNECTING).findFirst().orElse(null));
        String list = shell("framebus:list");
        String status = shell("framebus:status query");
        assertTrue(status, status.contains("pwd=***"));
        for (String text : List.of(down.lastError(), list, status, String.join("\n", osgiLog))) {
            assertFalse("no password: " + text, text.contains("Qx7secret"));
        }
        assertEquals("only the query camera runs", 1, cameraProcesses().size());
    }
}
