package io.framebus.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.framebus.api.Frame;
import io.framebus.api.FrameSource;
import io.framebus.api.SourceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** Eight cameras at once, each in its own capture process, all delivering. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ManyCamerasIT extends FramebusTestSupport {
    private static final int CAMERAS = 8;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return baseOptions();
    }

    @Test
    public void eightCamerasDeliverFrames() throws Exception {
        for (int i = 0; i < CAMERAS; i++) {
            camera("cam" + i, testPattern("cam" + i, 320, 240, 5));
        }
        List<FrameSource> sources = new ArrayList<>();
        for (int i = 0; i < CAMERAS; i++) {
            sources.add(waitForSource("cam" + i));
        }
        for (FrameSource s : sources) {
            waitForStatus(s, Duration.ofSeconds(120), "streaming", x -> x.state() == SourceState.STREAMING, null);
        }
        for (FrameSource s : sources) {
            Frame f = s.next(null, Duration.ofSeconds(30)).orElseThrow();
            assertEquals(s.id(), f.cameraId());
            assertEquals(320 * 240 * 3, f.pixels().remaining());
        }
        assertEquals(CAMERAS, cameraProcesses().size());
        assertTrue(sources.stream().allMatch(s -> s.status().live()));
    }
}
