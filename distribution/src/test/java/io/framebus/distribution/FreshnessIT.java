package io.framebus.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.framebus.api.FrameSource;
import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * How fast a user learns that frames stopped: a frozen capture process is found by its heartbeat whatever the stall
 * timeout, and a stream whose frames stop shows as late at once. The times are printed for docs/benchmarks.md;
 * the waits are bounded well below the (long) stall timeout, so the tests fail if detection waits for it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FreshnessIT extends FramebusTestSupport {
    private static final int LONG_STALL_MILLIS = 60_000;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return baseOptions();
    }

    @Test
    public void aFrozenCaptureProcessIsFoundByItsHeartbeatWhateverTheStallTimeout() throws Exception {
        Map<String, Object> cfg = testPattern("ice", 320, 240, 10);
        cfg.put("stallTimeout", LONG_STALL_MILLIS);
        camera("ice", cfg);
        FrameSource ice = waitForSource("ice");
        SourceStatus before = waitForStatus(ice, Duration.ofSeconds(60), "streaming",
                s -> s.state() == SourceState.STREAMING, null);
        signal(before.pid(), "STOP");
        long stoppedAt = System.nanoTime();
        try {
            List<SourceState> seen = new ArrayList<>();
            // a third of the stall timeout: found by the heartbeat, not by the stall timeout
            SourceStatus stalled = waitForStatus(ice, Duration.ofMillis(LONG_STALL_MILLIS / 3), "seen as stalled",
                    s -> s.state() == SourceState.STALLED || s.state() == SourceState.RESTARTING, seen);
            long detectedNanos = System.nanoTime() - stoppedAt;
            SourceStatus after = waitForStatus(ice, Duration.ofMillis(LONG_STALL_MILLIS / 3), "replaced",
                    s -> s.state() == SourceState.STREAMING && s.restarts() >= 1 && s.pid() != before.pid(), seen);
            long streamingNanos = System.nanoTime() - stoppedAt;
            System.out.printf(Locale.ROOT, "FROZEN stall timeout %d s: seen %s %.0f ms after SIGSTOP, streaming again "
                    + "(new pid %d) after %.0f ms; states %s%n", LONG_STALL_MILLIS / 1000, stalled.state(),
                    detectedNanos / 1e6, after.pid(), streamingNanos / 1e6, seen);
            assertTrue(osgiLog.stream().anyMatch(l -> l.contains("stopped beating")));
        } finally {
            if (ProcessHandle.of(before.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                signal(before.pid(), "KILL");
            }
        }
    }

    @Test
    public void framesThatStopComingShowAsLateAtOnceWhileStillStreaming() throws Exception {
        try (RtspServer server = RtspServer.start("--width", "320", "--height", "240", "--fps", "10")) {
            Map<String, Object> cfg = testPattern("slow", 320, 240, 0);
            cfg.put("url", server.url());
            cfg.put("stallTimeout", LONG_STALL_MILLIS);
            cfg.put("readTimeout", 8000); // the capture notices the silence itself after 8 s
            camera("slow", cfg);
            FrameSource slow = waitForSource("slow");
            SourceStatus onTime = waitForStatus(slow, Duration.ofSeconds(60), "streaming, not late",
                    s -> s.state() == SourceState.STREAMING && s.live() && !s.late() && s.fps() > 5, null);
            long serverPid = server.pid();
            signal(serverPid, "STOP"); // the camera freezes: its connection stays open, nothing arrives
            long stoppedAt = System.nanoTime();
            try {
                SourceStatus late = waitForStatus(slow, Duration.ofSeconds(7), "late while streaming",
                        s -> s.late(), null);
                long lateNanos = System.nanoTime() - stoppedAt;
                assertEquals("still STREAMING: the stall timeout has not run out", SourceState.STREAMING, late.state());
                assertTrue("live keeps its meaning (younger than the stall timeout)", late.live());
                assertTrue(shell("framebus:status slow").contains("late"));
                System.out.printf(Locale.ROOT, "LATE 10 fps camera frozen: status late after %.0f ms (frame age %d ms)"
                        + "; on time before: %s; late: %s%n", lateNanos / 1e6, late.latestFrameAge().toMillis(), onTime,
                        late);
            } finally {
                signal(serverPid, "CONT");
            }
            waitForStatus(slow, Duration.ofSeconds(60), "on time again",
                    s -> s.state() == SourceState.STREAMING && !s.late(), null);
        }
    }

}
