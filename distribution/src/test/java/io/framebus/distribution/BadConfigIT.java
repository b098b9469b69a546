package io.framebus.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.framebus.api.Frame;
import io.framebus.api.FrameSource;
import io.framebus.api.SourceState;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** Every bad configuration gets its own clear message and starts nothing; the good camera never notices. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BadConfigIT extends FramebusTestSupport {

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return baseOptions();
    }

    @Test
    public void badConfigurationsAreRefusedClearlyWhileAGoodCameraKeepsDelivering() throws Exception {
        camera("good", testPattern("good", 320, 240, 10));
        FrameSource good = waitForSource("good");
        waitForStatus(good, Duration.ofSeconds(60), "streaming", s -> s.state() == SourceState.STREAMING, null);
        long goodPid = good.status().pid();
        Frame last = good.next(null, Duration.ofSeconds(30)).orElseThrow();

        Object[][] cases = {
            {"nourl", map("id", "nourl"), "url is missing"},
            {"dotdot", map("id", "../x", "url", "testsrc:"), "id '../x' must be"},
            {"slash", map("id", "a/b", "url", "testsrc:"), "id 'a/b' must be"},
            {"emptyid", map("id", "", "url", "testsrc:"), "id is missing"},
            {"longid", map("id", "x".repeat(300), "url", "testsrc:"), "must be 1-64 characters"},
            {"huge", map("id", "huge", "url", "testsrc:", "width", 100000, "height", 100000), "width must be 0..16384"},
            {"negfps", map("id", "negfps", "url", "testsrc:", "fps", -1.0), "fps must be a number 0.0..1000.0"},
            {"scheme", map("id", "scheme", "url", "ftp://cam/x"), "url scheme 'ftp' is not supported"},
            {"nohost", map("id", "nohost", "url", "rtsp:///path"), "has no host"},
            {"half", map("id", "half", "url", "testsrc:", "width", 640), "both be 0"},
            {"format", map("id", "format", "url", "testsrc:", "pixelFormat", "RGBA"), "pixelFormat must be one of BGR24, RGB24, GRAY8, YUV420P, NV12, got 'RGBA'"},
            {"dup", map("id", "good", "url", "testsrc:"), "id is already used"},
            {"secret", map("id", "secret", "url", "rtsp://admin:hunter22@cam/x", "ringSlots", 1), "ringSlots must be 2..64"},
        };
        for (Object[] c : cases) {
            String name = (String) c[0];
            @SuppressWarnings("unchecked")
            Map<String, Object> props = (Map<String, Object>) c[1];
            String expected = (String) c[2];
            int logBefore = osgiLog.size();
            camera(name, props);
            waitFor(Duration.ofSeconds(20), name + ": a log line saying '" + expected + "'",
                    () -> osgiLog.stream().skip(logBefore).anyMatch(l -> l.startsWith("ERROR") && l.contains(expected)));
            assertEquals(name + " logged once: " + osgiLog.subList(logBefore, osgiLog.size()), 1,
                    osgiLog.stream().skip(logBefore).filter(l -> l.startsWith("ERROR")).count());

            // the good camera keeps delivering, in the same process
            Frame next = good.next(last.info(), Duration.ofSeconds(30)).orElseThrow();
            assertTrue(next.sequence() > last.sequence());
            last = next;
            assertEquals(goodPid, good.status().pid());
        }
        assertEquals("only the good camera runs a capture process", 1, captureProcesses().size());
        assertEquals("only the good camera has a ring", 1, ringFiles().size());

        String list = shell("framebus:list");
        assertTrue(list, list.contains("nourl") && list.contains("INVALID"));
        String status = shell("framebus:status scheme");
        assertTrue(status, status.contains("INVALID") && status.contains("url scheme 'ftp' is not supported"));
        String secret = shell("framebus:status secret");
        assertTrue(secret, secret.contains("ringSlots must be 2..64"));
        assertTrue("no password anywhere", osgiLog.stream().noneMatch(l -> l.contains("hunter22"))
                && !secret.contains("hunter22") && !list.contains("hunter22"));
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new Hashtable<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
