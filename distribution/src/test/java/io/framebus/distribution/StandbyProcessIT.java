package io.framebus.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.framebus.api.Frame;
import io.framebus.api.FrameSource;
import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The standby capture process: started ahead of need, taken by the camera that restarts, replaced afterwards. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StandbyProcessIT extends FramebusTestSupport {

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return baseOptions();
    }

    @Override
    protected Map<String, Object> managerProperties() {
        // no class-data archive: one made during the test would change the capture options, and a standby started
        // with other options than the camera's is (rightly) not used
        return Map.of("standbyProcess", true, "classDataSharing", false);
    }

    @Test
    public void aKilledCameraRestartsInTheStandbyProcessAndANewStandbyFollows() throws Exception {
        camera("sb", testPattern("sb", 320, 240, 10));
        FrameSource sb = waitForSource("sb");
        SourceStatus before = waitForStatus(sb, Duration.ofSeconds(60), "streaming",
                s -> s.state() == SourceState.STREAMING, null);
        long standby = waitForValue(Duration.ofSeconds(30), "a standby capture process", () -> idleStandby(before.pid()));
        assertEquals("the idle standby has no ring: only the camera's", 1, ringFiles().size());
        assertEquals(List.of(before.pid()), cameraProcesses().stream().map(ProcessHandle::pid).collect(Collectors.toList()));
        Frame lastBefore = sb.next(null, Duration.ofSeconds(30)).orElseThrow();

        signal(before.pid(), "KILL");

        SourceStatus after = waitForStatus(sb, Duration.ofSeconds(60), "restarted in the standby",
                s -> s.state() == SourceState.STREAMING && s.restarts() == 1, null);
        assertEquals("the camera runs in the process that was the standby", standby, after.pid());
        Frame fresh = sb.next(lastBefore.info(), Duration.ofSeconds(30)).orElseThrow();
        assertTrue("frames of the new generation", fresh.generation() > lastBefore.generation());
        assertTrue("fresh frame, age " + fresh.age(), fresh.age().compareTo(Duration.ofSeconds(5)) < 0);

        long next = waitForValue(Duration.ofSeconds(30), "a new standby", () -> idleStandby(standby));
        assertNotEquals(standby, next);
        assertTrue("the new standby is alive", ProcessHandle.of(next).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    public void aCameraWithJvmOptionsOfItsOwnLeavesTheStandbyAlone() throws Exception {
        long standby = waitForValue(Duration.ofSeconds(30), "a standby capture process", () -> idleStandby(-1));
        Map<String, Object> cfg = testPattern("own", 320, 240, 10);
        cfg.put("jvmArgs", "-Xmx48m");
        camera("own", cfg);
        SourceStatus own = waitForStatus(waitForSource("own"), Duration.ofSeconds(60), "streaming",
                s -> s.state() == SourceState.STREAMING, null);
        assertNotEquals("the camera started its own JVM", standby, own.pid());
        assertTrue("the standby is still alive", ProcessHandle.of(standby).map(ProcessHandle::isAlive).orElse(false));
        assertEquals("and still the standby", Long.valueOf(standby), idleStandby(own.pid()));
    }

    /** The pid of a standby capture process other than {@code not}, or null. */
    private static Long idleStandby(long not) {
        return captureProcesses().stream()
                .filter(p -> p.pid() != not)
                .filter(p -> p.info().commandLine().map(c -> c.contains("-Dframebus.standby=true")).orElse(false))
                .map(ProcessHandle::pid)
                .findFirst().orElse(null);
    }
}
