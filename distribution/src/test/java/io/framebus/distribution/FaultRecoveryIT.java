package io.framebus.distribution;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.framebus.api.Frame;
import io.framebus.api.FrameSource;
import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
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

/** Real faults, real recovery: kill -9, SIGSTOP, an RTSP server that goes away and comes back. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FaultRecoveryIT extends FramebusTestSupport {

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return baseOptions();
    }

    @Test
    public void killedCaptureProcessIsRestartedAndFramesFlowAgain() throws Exception {
        camera("k9", testPattern("k9", 320, 240, 10));
        FrameSource k9 = waitForSource("k9");
        SourceStatus before = waitForStatus(k9, Duration.ofSeconds(60), "streaming",
                s -> s.state() == SourceState.STREAMING, null);
        Frame lastBefore = k9.next(null, Duration.ofSeconds(30)).orElseThrow();

        signal(before.pid(), "KILL");
        List<SourceState> seen = new ArrayList<>();
        SourceStatus after = waitForStatus(k9, Duration.ofSeconds(60), "restarted and streaming",
                s -> s.state() == SourceState.STREAMING && s.restarts() == 1 && s.pid() != before.pid(), seen);
        assertTrue("the user saw the restart: " + seen, seen.contains(SourceState.RESTARTING));
        assertTrue("restart reason shown: " + after, osgiLog.stream().anyMatch(l -> l.contains("exited with 137 (killed by signal 9)")));
        Frame fresh = k9.next(lastBefore.info(), Duration.ofSeconds(30)).orElseThrow();
        assertTrue("frames of the new capture process", fresh.generation() > lastBefore.generation());
        assertTrue("fresh frame, age " + fresh.age(), fresh.age().compareTo(Duration.ofSeconds(5)) < 0);
    }

    @Test
    public void frozenCaptureProcessIsDetectedAsStalledAndReplaced() throws Exception {
        Map<String, Object> cfg = testPattern("frozen", 320, 240, 10);
        cfg.put("stallTimeout", 2000);
        camera("frozen", cfg);
        FrameSource frozen = waitForSource("frozen");
        SourceStatus before = waitForStatus(frozen, Duration.ofSeconds(60), "streaming",
                s -> s.state() == SourceState.STREAMING, null);
        signal(before.pid(), "STOP");
        try {
            List<SourceState> seen = new ArrayList<>();
            waitForStatus(frozen, Duration.ofSeconds(60), "restarted after the stall",
                    s -> s.state() == SourceState.STREAMING && s.restarts() >= 1 && s.pid() != before.pid(), seen);
            assertTrue("the user saw the stall: " + seen, seen.contains(SourceState.STALLED));
            assertTrue(osgiLog.stream().anyMatch(l -> l.contains("stopped beating")));
            waitFor(Duration.ofSeconds(10), "the frozen process is gone",
                    () -> !ProcessHandle.of(before.pid()).map(ProcessHandle::isAlive).orElse(false));
            assertTrue(frozen.next(null, Duration.ofSeconds(30)).isPresent());
        } finally {
            if (ProcessHandle.of(before.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                signal(before.pid(), "KILL");
            }
        }
    }

    @Test
    public void rtspServerThatGoesAwayAndComesBackIsReconnectedInTheSameProcess() throws Exception {
        try (RtspServer server = RtspServer.start("--width", "320", "--height", "240", "--fps", "10")) {
            Map<String, Object> cfg = testPattern("door", 320, 240, 5);
            cfg.put("url", server.url());
            cfg.put("readTimeout", 2000);
            cfg.put("connectTimeout", 2000);
            cfg.put("reconnectDelay", 200);
            cfg.put("reconnectDelayMax", 1000);
            camera("door", cfg);
            FrameSource door = waitForSource("door");
            SourceStatus streaming = waitForStatus(door, Duration.ofSeconds(60), "streaming",
                    s -> s.state() == SourceState.STREAMING, null);
            assertTrue(door.next(null, Duration.ofSeconds(30)).isPresent());

            server.stop();
            List<SourceState> seen = new ArrayList<>();
            SourceStatus down = waitForStatus(door, Duration.ofSeconds(60), "reconnecting",
                    s -> s.state() == SourceState.RECONNECTING, seen);
            assertTrue("not live while the camera is away", !down.live());
            assertFalse("an error is shown", down.lastError().isEmpty());

            server.startAgain();
            SourceStatus back = waitForStatus(door, Duration.ofSeconds(60), "streaming again",
                    s -> s.state() == SourceState.STREAMING && s.reconnects() >= 1, seen);
            assertTrue("the same capture process reconnected by itself", back.pid() == streaming.pid());
            assertTrue(back.restarts() == 0);
            Frame f = door.next(null, Duration.ofSeconds(30)).orElseThrow();
            assertTrue(f.age().compareTo(Duration.ofSeconds(5)) < 0);
            assertNotEquals(0, f.sequence());
        }
    }

    @Test
    public void sourceThatChangesItsSizeUpdatesTheServicePropertiesInPlace() throws Exception {
        try (RtspServer server = RtspServer.start("--width", "320", "--height", "240", "--fps", "10")) {
            Map<String, Object> cfg = testPattern("resize", 320, 240, 5);
            cfg.put("url", server.url());
            cfg.put("readTimeout", 2000);
            cfg.put("reconnectDelay", 200);
            cfg.put("reconnectDelayMax", 1000);
            camera("resize", cfg);
            FrameSource resize = waitForSource("resize");
            SourceStatus before = waitForStatus(resize, Duration.ofSeconds(60), "streaming",
                    s -> s.state() == SourceState.STREAMING, null);
            Object serviceId = sourceRef("resize").getProperty(org.osgi.framework.Constants.SERVICE_ID);

            server.stop();
            server.startAgain("--width", "480", "--height", "360", "--fps", "10");
            waitFor(Duration.ofSeconds(60), "frame.width 480 on the same service", () -> {
                var ref = sourceRef("resize");
                return ref != null && Integer.valueOf(480).equals(ref.getProperty(FrameSource.FRAME_WIDTH));
            });
            var ref = sourceRef("resize");
            assertTrue("the registration was updated, not replaced",
                    serviceId.equals(ref.getProperty(org.osgi.framework.Constants.SERVICE_ID)));
            assertTrue(Integer.valueOf(360).equals(ref.getProperty(FrameSource.FRAME_HEIGHT)));
            Frame f = resize.next(null, Duration.ofSeconds(30)).orElseThrow();
            assertTrue("frames have the new size", f.format().width() == 480 && f.pixels().remaining() == 480 * 360 * 3);
            assertTrue("same capture process", resize.status().pid() == before.pid());
        }
    }

    @Test
    public void aCameraThatKeepsDyingIsFailedAndSaysWhy() throws Exception {
        Map<String, Object> cfg = testPattern("flaky", 320, 240, 5);
        cfg.put("maxRestarts", 1);
        cfg.put("restartWindow", 600000);
        camera("flaky", cfg);
        FrameSource flaky = waitForSource("flaky");
        SourceStatus first = waitForStatus(flaky, Duration.ofSeconds(60), "streaming",
                s -> s.state() == SourceState.STREAMING, null);
        signal(first.pid(), "KILL");
        SourceStatus second = waitForStatus(flaky, Duration.ofSeconds(60), "restarted once",
                s -> s.state() == SourceState.STREAMING && s.restarts() == 1, null);
        signal(second.pid(), "KILL");
        SourceStatus failed = waitForStatus(flaky, Duration.ofSeconds(60), "FAILED",
                s -> s.state() == SourceState.FAILED, null);
        assertTrue(failed.lastError(), failed.lastError().contains("1 restarts within 600 s, retrying every 60 s"));
        assertFalse("a failed camera is not live", failed.live());
    }
}
