package io.framebus.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.framebus.api.Frame;
import io.framebus.api.FrameSource;
import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;

/** A camera's life in a real Felix: config to service to frames, a consumer bundle, changes, removal, bundle restarts. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CameraLifecycleIT extends FramebusTestSupport {

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return org.ops4j.pax.exam.OptionUtils.combine(baseOptions(), exampleConsumer());
    }

    @Test
    public void configurationBecomesAFrameSourceWithFramesThatAConsumerReceives() throws Exception {
        List<SourceState> seen = new ArrayList<>();
        Configuration config = camera("front", testPattern("front", 320, 240, 10));
        FrameSource front = waitForSource("front");

        ServiceReference<FrameSource> ref = sourceRef("front");
        assertEquals("front", ref.getProperty(FrameSource.CAMERA_ID));
        assertEquals("front", ref.getProperty(FrameSource.CAMERA_NAME));
        assertEquals(320, ref.getProperty(FrameSource.FRAME_WIDTH));
        assertEquals(240, ref.getProperty(FrameSource.FRAME_HEIGHT));
        assertEquals("BGR24", ref.getProperty(FrameSource.FRAME_FORMAT));
        assertEquals(10.0, ref.getProperty(FrameSource.FRAME_RATE));
        assertTrue("no url in service properties", List.of(ref.getPropertyKeys()).stream()
                .noneMatch(k -> String.valueOf(ref.getProperty(k)).contains("testsrc")));

        SourceStatus streaming = waitForStatus(front, Duration.ofSeconds(60), "streaming and live",
                s -> s.state() == SourceState.STREAMING && s.live(), seen);
        assertTrue("pid of a running capture process", streaming.pid() > 0);
        Frame frame = front.next(null, Duration.ofSeconds(30)).orElseThrow();
        assertEquals(320 * 240 * 3, frame.pixels().remaining());
        assertEquals("front", frame.cameraId());
        assertTrue("a fresh frame, got " + frame.age(), frame.age().compareTo(Duration.ofSeconds(5)) < 0);
        Frame after = front.next(frame.info(), Duration.ofSeconds(30)).orElseThrow();
        assertTrue("frames advance", after.sequence() > frame.sequence() || after.generation() > frame.generation());
        assertTrue("the test pattern is not a blank frame", distinctBytes(frame.toByteArray()) > 16);

        // the example consumer bundle (a DS component binding FrameSource dynamically) receives frames
        waitFor(Duration.ofSeconds(30), "the example consumer logs the brightness of front",
                () -> osgiLog.stream().anyMatch(l -> l.contains("camera front brightness")));

        // a changed configuration restarts that camera with the new size
        long oldPid = streaming.pid();
        Map<String, Object> smaller = testPattern("front", 320, 240, 10);
        smaller.put("width", 160);
        smaller.put("height", 120);
        smaller.put("pixelFormat", "GRAY8");
        config.update(new java.util.Hashtable<>(smaller));
        waitFor(Duration.ofSeconds(60), "FrameSource front with the new size", () -> {
            ServiceReference<FrameSource> r = sourceRef("front");
            return r != null && Integer.valueOf(160).equals(r.getProperty(FrameSource.FRAME_WIDTH))
                    && "GRAY8".equals(r.getProperty(FrameSource.FRAME_FORMAT));
        });
        FrameSource resized = source("front");
        Frame small = resized.next(null, Duration.ofSeconds(30)).orElseThrow();
        assertEquals(160 * 120, small.pixels().remaining());
        assertEquals(120, small.format().height());
        long newPid = resized.status().pid();
        assertNotEquals("a new capture process", oldPid, newPid);
        assertFalse("the old capture process is gone", ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false));

        // deleting the configuration removes the service, the process and the ring
        Path ring = ringDirectory.resolve("front.ring");
        assertTrue(Files.exists(ring));
        config.delete();
        waitFor(Duration.ofSeconds(30), "FrameSource front gone", () -> sourceRef("front") == null);
        waitFor(Duration.ofSeconds(30), "capture process gone",
                () -> !ProcessHandle.of(newPid).map(ProcessHandle::isAlive).orElse(false));
        waitFor(Duration.ofSeconds(10), "ring removed", () -> !Files.exists(ring));
        waitFor(Duration.ofSeconds(30), "the consumer saw it go",
                () -> osgiLog.stream().anyMatch(l -> l.contains("camera front is gone")));
    }

    @Test
    public void shellCommandsListStatusRestartAndSnapshot() throws Exception {
        camera("yard", testPattern("yard", 320, 240, 5));
        FrameSource yard = waitForSource("yard");
        SourceStatus s = waitForStatus(yard, Duration.ofSeconds(60), "streaming", x -> x.state() == SourceState.STREAMING, null);

        String list = shell("framebus:list");
        assertTrue(list, list.contains("yard") && list.contains("STREAMING") && list.contains(Long.toString(s.pid())));
        String status = shell("framebus:status yard");
        assertTrue(status, status.contains("frames published") && status.contains("last error"));
        assertTrue(status, status.contains("testsrc:"));

        Path png = Files.createTempFile("yard", ".png");
        String snap = shell("framebus:snapshot yard " + png);
        assertTrue(snap, snap.contains("written to"));
        byte[] bytes = Files.readAllBytes(png);
        assertEquals("PNG signature", (byte) 0x89, bytes[0]);
        assertEquals('P', bytes[1]);
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(320, img.getWidth());
        Files.delete(png);
        // a link planted where the snapshot goes is refused, and its target left alone
        Path victim = Files.createTempFile("victim", ".txt");
        Files.writeString(victim, "keep me");
        Path link = Files.createSymbolicLink(png, victim);
        String refused = shell("framebus:snapshot yard " + link);
        assertTrue(refused, refused.contains("symbolic link"));
        assertEquals("keep me", Files.readString(victim));
        Files.delete(link);
        Files.delete(victim);

        String restart = shell("framebus:restart yard");
        assertTrue(restart, restart.contains("restarting"));
        waitForStatus(yard, Duration.ofSeconds(60), "restarted and streaming",
                x -> x.restarts() == 1 && x.pid() != s.pid() && x.state() == SourceState.STREAMING, null);

        String missing = shell("framebus:status nosuchcamera");
        assertTrue(missing, missing.contains("no camera 'nosuchcamera'"));
    }

    @Test
    public void stoppingAndStartingTheManagerBundleLeavesNothingBehind() throws Exception {
        camera("porch", testPattern("porch", 320, 240, 5));
        FrameSource porch = waitForSource("porch");
        waitForStatus(porch, Duration.ofSeconds(60), "streaming", x -> x.state() == SourceState.STREAMING, null);
        Bundle manager = java.util.Arrays.stream(context.getBundles())
                .filter(b -> b.getSymbolicName().equals("io.framebus.manager")).findFirst().orElseThrow();

        manager.stop();
        assertTrue("no capture process after bundle stop", captureProcesses().isEmpty());
        assertTrue("no ring or socket after bundle stop: " + filesLeft(), filesLeft().isEmpty());
        assertEquals(null, sourceRef("porch"));

        manager.start();
        FrameSource again = waitForSource("porch");
        waitForStatus(again, Duration.ofSeconds(60), "streaming again", x -> x.state() == SourceState.STREAMING, null);
    }

    private static long distinctBytes(byte[] b) {
        boolean[] seen = new boolean[256];
        long n = 0;
        for (byte x : b) {
            if (!seen[x & 0xff]) {
                seen[x & 0xff] = true;
                n++;
            }
        }
        return n;
    }
}
