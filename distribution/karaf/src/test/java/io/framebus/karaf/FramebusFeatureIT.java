package io.framebus.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.framebus.api.Frame;
import io.framebus.api.FrameSource;
import io.framebus.api.PixelFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;

/**
 * The framebus feature in a real Karaf 4.4: feature:install, a camera from ConfigAdmin and one from a .cfg file in
 * etc/, frames from the RTSP test camera through FrameSource, the shell commands, and feature:uninstall leaving no
 * capture process and no ring file. Each test gets its own Karaf (PerMethod), so no test sees another's bundles.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class FramebusFeatureIT extends KarafTestSupport {

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return baseOptions();
    }

    @Test
    public void cameraFromConfigAdminStreamsAnswersTheShellAndUninstallLeavesNothing() throws Exception {
        installFramebus();
        assertTrue("the feature delivered the capture program to ${karaf.base}/framebus/capture/lib",
                Files.isRegularFile(karafBase.resolve("framebus/capture/lib/io.framebus.capture.jar")));

        Configuration config = addCamera("it", camera.url());

        FrameSource source = FrameSources.await(context, "it");
        ServiceReference<FrameSource> ref = FrameSources.ref(context, "it");
        assertEquals(640, ref.getProperty(FrameSource.FRAME_WIDTH));
        assertEquals(480, ref.getProperty(FrameSource.FRAME_HEIGHT));
        assertEquals("BGR24", ref.getProperty(FrameSource.FRAME_FORMAT));
        Frame frame = source.next(null, Duration.ofSeconds(30)).orElseThrow();
        assertEquals("it", frame.cameraId());
        assertEquals(640, frame.format().width());
        assertEquals(480, frame.format().height());
        assertEquals(PixelFormat.BGR24, frame.format().pixelFormat());
        assertEquals(640 * 480 * 3, frame.pixels().remaining());
        Frame after = source.next(frame.info(), Duration.ofSeconds(30)).orElseThrow();
        assertTrue("frames advance", after.sequence() > frame.sequence() || after.generation() > frame.generation());
        long pid = FrameSources.awaitPid(source);
        assertTrue("capture process " + pid + " runs the capture program from ${karaf.base}/framebus/capture",
                captureProcesses().stream().anyMatch(p -> p.pid() == pid));
        Path ring = ringDirectory.resolve("it.ring");
        assertTrue("ring file " + ring, Files.exists(ring));

        // what bin/client -b and ssh show is what a command prints (they use a returned value as the exit code)
        String list = shell("framebus:list").printed;
        assertTrue(list, list.contains("it ") && list.contains("STREAMING") && list.contains(Long.toString(pid)));
        String status = shell("framebus:status it").printed;
        assertTrue(status, status.contains("STREAMING (live)"));
        assertTrue(status, status.contains("640x480 BGR24"));
        assertTrue(status, status.contains(ring.toString()));
        assertTrue(status, status.contains(camera.url()));

        uninstallFramebus();
        waitFor(Duration.ofSeconds(30), "FrameSource it gone", () -> FrameSources.ref(context, "it") == null);
        waitFor(Duration.ofSeconds(30), "capture process " + pid + " gone",
                () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        waitFor(Duration.ofSeconds(30), "no capture process of this Karaf after feature:uninstall",
                () -> captureProcesses().isEmpty());
        waitFor(Duration.ofSeconds(10), "no ring file after feature:uninstall", () -> ringFiles().isEmpty());
    }

    @Test
    public void cameraFromACfgFileInEtc() throws Exception {
        installFramebus();
        // what an operator does: drop etc/io.framebus.camera-<name>.cfg; Karaf's FileInstall watches etc/
        Path cfg = karafBase.resolve("etc/io.framebus.camera-door.cfg");
        Files.write(cfg, List.of("id = door", "name = Front door", "url = " + camera.url(), "fps = 5",
                "width = 320", "height = 240", "pixelFormat = GRAY8"), StandardCharsets.UTF_8);

        FrameSource door = FrameSources.await(context, "door");
        ServiceReference<FrameSource> ref = FrameSources.ref(context, "door");
        assertEquals("Front door", ref.getProperty(FrameSource.CAMERA_NAME));
        assertEquals(320, ref.getProperty(FrameSource.FRAME_WIDTH));
        assertEquals("GRAY8", ref.getProperty(FrameSource.FRAME_FORMAT));
        Frame frame = door.next(null, Duration.ofSeconds(30)).orElseThrow();
        assertEquals(240, frame.format().height());
        assertEquals(320 * 240, frame.pixels().remaining());
        long pid = FrameSources.awaitPid(door);

        // deleting the file removes the camera: service, process and ring (the idle standby process stays)
        Files.delete(cfg);
        waitFor(Duration.ofSeconds(30), "FrameSource door gone", () -> FrameSources.ref(context, "door") == null);
        waitFor(Duration.ofSeconds(30), "capture process " + pid + " gone",
                () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        waitFor(Duration.ofSeconds(30), "no capture process but the standby", () -> captureProcesses().stream()
                .allMatch(p -> p.info().commandLine().map(c -> c.contains("-Dframebus.standby=true")).orElse(false)));
        waitFor(Duration.ofSeconds(10), "no ring file", () -> ringFiles().isEmpty());
    }

    @Test
    public void webFeatureServesTheStatusApiSnapshotsAndMetricsOnTheLoopback() throws Exception {
        features.addRepository(java.net.URI.create(System.getProperty("framebus.features")));
        features.installFeature("framebus-web");
        Configuration config = addCamera("web", "testsrc:size=320x240:rate=25");
        FrameSource source = FrameSources.await(context, "web");
        assertTrue(source.next(null, Duration.ofSeconds(30)).isPresent());

        String base = "http://127.0.0.1:" + System.getProperty(HTTP_PORT) + "/framebus/";
        String cameras = waitForValue(Duration.ofSeconds(60), "the web API on pax-web", () -> {
            String body = get(base + "api/cameras");
            return body != null && body.contains("\"web\"") && body.contains("STREAMING") ? body : null;
        });
        assertTrue(cameras, cameras.contains("\"live\":true"));
        java.net.HttpURLConnection snap = (java.net.HttpURLConnection) new java.net.URL(base + "cameras/web/snapshot.jpg").openConnection();
        assertEquals(200, snap.getResponseCode());
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(snap.getInputStream());
        assertEquals(320, image.getWidth());
        String metrics = get(base + "metrics");
        assertTrue(metrics, metrics.contains("camera=\"web\""));
        String page = get(base);
        assertTrue(page, page != null && page.contains("<html"));

        config.delete();
        features.uninstallFeature("framebus-web");
        waitFor(Duration.ofSeconds(30), "no capture process after uninstall", () -> captureProcesses().isEmpty());
    }

    private static String get(String url) {
        try {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL(url).openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(5000);
            if (c.getResponseCode() != 200) {
                return null;
            }
            return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException notYet) {
            return null; // pax-web still starting
        }
    }
}
