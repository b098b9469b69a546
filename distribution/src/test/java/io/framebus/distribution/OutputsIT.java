package io.framebus.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.framebus.api.Frame;
import io.framebus.api.FrameSource;
import io.framebus.api.SourceState;
import io.framebus.api.Subscription;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;

/**
 * One camera, two outputs, in a real Felix with the web bundle: a FrameSource per output (camera.id + output), the
 * default output unchanged, frames of the two outputs paired by capture time, fit's black bars, status, shell and
 * web per output, a bad output refused by name while the good camera runs on, both rings removed with the camera.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OutputsIT extends FramebusTestSupport {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(composite(baseOptions()), WebIT.webOptions());
    }

    @Test
    public void everyOutputHasItsServiceItsRingAndFramesPairedWithTheOthers() throws Exception {
        Map<String, Object> props = testPattern("duo", 320, 240, 10);
        props.put("outputs", new String[] {"detect: 64x64 RGB24 fps=2 fit"});
        Configuration duo = camera("duo", props);
        FrameSource main = waitForValue(Duration.ofSeconds(60), "main output of duo", () -> output("duo", "main"));
        FrameSource detect = waitForValue(Duration.ofSeconds(60), "detect output of duo", () -> output("duo", "detect"));

        ServiceReference<FrameSource> mainRef = ref("duo", "main");
        assertEquals(320, mainRef.getProperty(FrameSource.FRAME_WIDTH));
        assertEquals("BGR24", mainRef.getProperty(FrameSource.FRAME_FORMAT));
        assertEquals(10.0, mainRef.getProperty(FrameSource.FRAME_RATE));
        ServiceReference<FrameSource> detectRef = ref("duo", "detect");
        assertEquals("duo", detectRef.getProperty(FrameSource.CAMERA_ID));
        assertEquals(64, detectRef.getProperty(FrameSource.FRAME_WIDTH));
        assertEquals(64, detectRef.getProperty(FrameSource.FRAME_HEIGHT));
        assertEquals("RGB24", detectRef.getProperty(FrameSource.FRAME_FORMAT));
        assertEquals(2.0, detectRef.getProperty(FrameSource.FRAME_RATE));
        // a filter on camera.id alone (written before outputs existed) gets the main output
        // (the highest ranked reference is the one DS binds)
        assertEquals("main", java.util.Collections.max(context.getServiceReferences(FrameSource.class,
                "(" + FrameSource.CAMERA_ID + "=duo)")).getProperty(FrameSource.OUTPUT));
        assertTrue(Files.exists(ringDirectory.resolve("duo.ring")));
        assertTrue(Files.exists(ringDirectory.resolve("duo~detect.ring")));

        waitForStatus(detect, Duration.ofSeconds(60), "streaming", s -> s.state() == SourceState.STREAMING, null);
        long pid = main.status().pid();
        assertEquals("one capture process for both outputs", pid, detect.status().pid());

        // fit: 320x240 into 64x64 is 64x48 from row 8; rows 0-7 and 56-63 black
        Frame small = detect.next(null, Duration.ofSeconds(30)).orElseThrow();
        ByteBuffer px = small.pixels();
        for (int y : new int[] {0, 7, 56, 63}) {
            for (int x = 0; x < 64 * 3; x++) {
                assertEquals("bar byte at row " + y, 0, px.get(y * 64 * 3 + x));
            }
        }
        int lit = 0;
        for (int i = 8 * 64 * 3; i < 56 * 64 * 3; i++) {
            lit += px.get(i) != 0 ? 1 : 0;
        }
        assertTrue("the picture between the bars, lit bytes " + lit, lit > 1000);
        small.close();

        // pairing: every detect frame has a main frame with the very same capture times
        Set<Long> mainTimes = ConcurrentHashMap.newKeySet();
        Set<Long> paired = ConcurrentHashMap.newKeySet();
        Set<Long> detectTimes = ConcurrentHashMap.newKeySet();
        try (Subscription a = main.subscribeInPlace(v -> mainTimes.add(v.info().captureMonoNanos() ^ v.info().captureEpochNanos() ^ v.info().sourceSequence()), Runnable::run);
             Subscription b = detect.subscribeInPlace(v -> detectTimes.add(v.info().captureMonoNanos() ^ v.info().captureEpochNanos() ^ v.info().sourceSequence()), Runnable::run)) {
            waitFor(Duration.ofSeconds(30), "three detect frames paired with main frames", () -> {
                for (Long t : detectTimes) {
                    if (mainTimes.contains(t)) {
                        paired.add(t);
                    }
                }
                return paired.size() >= 3;
            });
        }

        // status per output: the same camera and process, each output's own counters
        assertTrue(main.status().publishedFrames() > detect.status().publishedFrames());
        assertTrue(detect.status().droppedFrames() > 0);
        String status = shell("framebus:status duo");
        assertTrue(status, status.contains("output detect") && status.contains("64x64 RGB24")
                && status.contains("duo~detect.ring"));
        Path png = Files.createTempFile("duo-detect", ".png");
        try {
            String said = shell("framebus:snapshot duo detect " + png);
            assertTrue(said, said.contains("written to"));
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(64, image.getWidth());
            assertEquals(64, image.getHeight());
            String bad = shell("framebus:snapshot duo nope " + png);
            assertTrue(bad, bad.contains("camera 'duo' has no output 'nope' (its outputs: main, detect)"));
        } finally {
            Files.deleteIfExists(png);
        }

        // health: a check per extra output next to the camera's, tagged "output", evaluating that output's frames
        org.apache.felix.hc.api.execution.HealthCheckExecutor executor = context.getService(
                context.getServiceReference(org.apache.felix.hc.api.execution.HealthCheckExecutor.class));
        String outputCheck = waitForValue(Duration.ofSeconds(30), "the health check of duo's detect output OK", () -> {
            for (org.apache.felix.hc.api.execution.HealthCheckExecutionResult r : executor.execute(
                    org.apache.felix.hc.api.execution.HealthCheckSelector.tags("framebus", "output"))) {
                if (r.getHealthCheckMetadata().getName().equals("framebus camera duo output detect")
                        && r.getHealthCheckResult().getStatus() == org.apache.felix.hc.api.Result.Status.OK) {
                    return r.getHealthCheckResult().toString();
                }
            }
            return null;
        });
        assertTrue(outputCheck, outputCheck.contains("duo"));

        // web: the cameras JSON lists both outputs; snapshot per output; an unknown output is a 404 naming it
        String base = WebIT.origin(context) + "/framebus/";
        String json = waitForValue(Duration.ofSeconds(30), "the API lists duo's outputs", () -> {
            HttpResponse<String> r = WebIT.get(base + "api/cameras/duo");
            return r != null && r.statusCode() == 200 && r.body().contains("\"name\":\"detect\"") ? r.body() : null;
        });
        assertTrue(json, json.contains("{\"name\":\"detect\",\"frame\":{\"width\":64,\"height\":64,\"pixelFormat\":"
                + "\"RGB24\"},\"snapshot\":\"cameras/duo/snapshot.jpg?output=detect\""));
        HttpResponse<byte[]> jpeg = HTTP.send(HttpRequest.newBuilder(URI.create(base
                + "cameras/duo/snapshot.jpg?output=detect")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, jpeg.statusCode());
        BufferedImage fromWeb = ImageIO.read(new ByteArrayInputStream(jpeg.body()));
        assertEquals(64, fromWeb.getWidth());
        HttpResponse<String> none = WebIT.get(base + "cameras/duo/snapshot.jpg?output=nope");
        assertEquals(404, none.statusCode());
        assertTrue(none.body(), none.body().contains("camera duo has no output nope"));

        // a bad output makes its camera INVALID, naming the value; duo keeps running in the same process
        Map<String, Object> badProps = testPattern("badout", 320, 240, 10);
        badProps.put("outputs", new String[] {"Detect: 0x0"});
        int logBefore = osgiLog.size();
        camera("badout", badProps);
        waitFor(Duration.ofSeconds(20), "badout refused naming the output", () -> osgiLog.stream().skip(logBefore)
                .anyMatch(l -> l.startsWith("ERROR") && l.contains("camera 'badout'")
                        && l.contains("output name 'Detect' must be 1-32 characters of a-z 0-9 _ -")
                        && l.contains("output 'Detect': size '0x0'")));
        assertEquals(pid, main.status().pid());
        assertFalse(Files.exists(ringDirectory.resolve("badout.ring")));

        // the camera gone: both services and both rings gone
        duo.delete();
        waitFor(Duration.ofSeconds(30), "duo's services and rings removed", () -> output("duo", "main") == null
                && output("duo", "detect") == null && !Files.exists(ringDirectory.resolve("duo.ring"))
                && !Files.exists(ringDirectory.resolve("duo~detect.ring")));
    }

    private ServiceReference<FrameSource> ref(String id, String output) {
        try {
            Collection<ServiceReference<FrameSource>> refs = context.getServiceReferences(FrameSource.class,
                    "(&(" + FrameSource.CAMERA_ID + "=" + id + ")(" + FrameSource.OUTPUT + "=" + output + "))");
            return refs.isEmpty() ? null : refs.iterator().next();
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private FrameSource output(String id, String output) {
        ServiceReference<FrameSource> r = ref(id, output);
        return r == null ? null : context.getService(r);
    }
}
