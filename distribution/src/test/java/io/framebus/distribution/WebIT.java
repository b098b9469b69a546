package io.framebus.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.framebus.api.FrameSource;
import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

/**
 * The web bundle in a real Felix with Felix HTTP Jetty and Felix Health Checks, over real HTTP on a free loopback
 * port: the JSON API, snapshots, the MJPEG preview, Prometheus metrics, the health checks (executor and servlet),
 * restarts by POST. The page itself is tested in a real browser by {@link WebPageIT}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebIT extends FramebusTestSupport {
    static final String HC_SERVLET_FACTORY_PID = "org.apache.felix.hc.core.impl.servlet.HealthCheckExecutorServlet";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(composite(baseOptions()), webOptions());
    }

    /**
     * The web bundle and what it needs, in dependency order, on a free loopback port. Felix HTTP Jetty reads the
     * port and host from framework properties, as in the distribution's etc/felix.properties.
     */
    static Option webOptions() {
        String bundles = System.getProperty("framebus.bundles", "target/bundles");
        String[] order = {"org.apache.felix.http.servlet-api", "org.apache.felix.http.jetty",
                "org.apache.felix.eventadmin", "slf4j-simple", "slf4j-api", "org.apache.felix.healthcheck.api",
                "org.apache.felix.healthcheck.core", "io.framebus.web"};
        Option[] opts = new Option[order.length + 2];
        for (int i = 0; i < order.length; i++) {
            opts[i] = bundle(new File(bundles, order[i] + ".jar").toURI().toString());
        }
        opts[order.length] = frameworkProperty("org.osgi.service.http.port").value(Integer.toString(freePort()));
        opts[order.length + 1] = frameworkProperty("org.apache.felix.http.host").value("127.0.0.1");
        return composite(opts);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** http://127.0.0.1:port of this framework. */
    static String origin(org.osgi.framework.BundleContext context) {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port");
    }

    @Test
    public void apiSnapshotsMetricsHealthAndRestartOverHttp() throws Exception {
        camera("webcam", testPattern("webcam", 320, 240, 5));
        Map<String, Object> noUrl = new Hashtable<>();
        noUrl.put("id", "nourl");
        camera("nourl", noUrl);
        FrameSource webcam = waitForSource("webcam");
        waitForStatus(webcam, Duration.ofSeconds(60), "streaming", s -> s.state() == SourceState.STREAMING, null);
        String base = origin(context) + "/framebus/";

        // the whiteboard registers the servlets asynchronously: poll until the API answers with both cameras
        String json = waitForValue(Duration.ofSeconds(30), "the camera API lists webcam streaming and nourl invalid", () -> {
            HttpResponse<String> r = get(base + "api/cameras");
            return r != null && r.statusCode() == 200 && r.body().contains("\"state\":\"INVALID\"")
                    && Pattern.compile("\"id\":\"webcam\",\"name\":\"webcam\",\"state\":\"STREAMING\"").matcher(r.body()).find()
                    ? r.body() : null;
        });
        assertTrue(json, json.contains("\"frame\":{\"width\":320,\"height\":240,\"pixelFormat\":\"BGR24\"}"));
        assertTrue(json, Pattern.compile("\"id\":\"nourl\",.*\"lastError\":\"[^\"]*url").matcher(json).find());
        HttpResponse<String> one = get(base + "api/cameras/webcam");
        assertEquals(200, one.statusCode());
        assertTrue(one.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals(404, get(base + "api/cameras/nosuchcamera").statusCode());

        // the page: /framebus redirects to /framebus/ (its URLs are relative), a static page with a strict CSP
        HttpResponse<String> redirect = get(origin(context) + "/framebus");
        assertEquals(302, redirect.statusCode());
        assertTrue(redirect.headers().firstValue("Location").orElse("").endsWith("/framebus/"));
        HttpResponse<String> page = get(base);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<script src=\"app.js\" defer></script>"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"));
        assertEquals(200, get(base + "app.js").statusCode());
        assertEquals(404, get(base + "nothing-here").statusCode());

        // snapshots: full size, scaled down, and the answers when there is no picture
        BufferedImage full = jpeg(getBytes(base + "cameras/webcam/snapshot.jpg"));
        assertEquals(320, full.getWidth());
        assertEquals(240, full.getHeight());
        BufferedImage thumb = jpeg(getBytes(base + "cameras/webcam/snapshot.jpg?width=160"));
        assertEquals(160, thumb.getWidth());
        assertEquals(120, thumb.getHeight());
        assertEquals("an INVALID camera has no picture", 503, getBytesResponse(base + "cameras/nourl/snapshot.jpg").statusCode());
        assertEquals(404, getBytesResponse(base + "cameras/nosuchcamera/snapshot.jpg").statusCode());
        assertEquals(404, getBytesResponse(base + "cameras/..%2F..%2Fetc/snapshot.jpg").statusCode());

        // metrics: a strict parse, and the camera's series
        Map<String, Double> metrics = waitForValue(Duration.ofSeconds(30), "metrics with the capture process's RSS", () -> {
            HttpResponse<String> r = get(base + "metrics");
            if (r == null || r.statusCode() != 200) {
                return null;
            }
            assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
            Map<String, Double> m = parseMetrics(r.body());
            return m.containsKey("framebus_camera_process_resident_memory_bytes{camera=\"webcam\"}") ? m : null;
        });
        assertEquals(1.0, metrics.get("framebus_camera_state{camera=\"webcam\",state=\"STREAMING\"}"), 0);
        assertEquals(0.0, metrics.get("framebus_camera_state{camera=\"webcam\",state=\"RESTARTING\"}"), 0);
        assertEquals(1.0, metrics.get("framebus_camera_state{camera=\"nourl\",state=\"INVALID\"}"), 0);
        assertEquals(1.0, metrics.get("framebus_camera_live{camera=\"webcam\"}"), 0);
        assertEquals(2.0, metrics.get("framebus_cameras"), 0);
        for (String series : new String[] {"framebus_camera_fps", "framebus_camera_frames_decoded_total",
                "framebus_camera_frames_published_total", "framebus_camera_frames_dropped_total",
                "framebus_camera_reconnects_total", "framebus_camera_restarts_total",
                "framebus_camera_latest_frame_age_seconds", "framebus_camera_process_resident_memory_bytes"}) {
            assertNotNull(series, metrics.get(series + "{camera=\"webcam\"}"));
        }
        assertTrue(metrics.get("framebus_camera_frames_published_total{camera=\"webcam\"}") > 0);
        assertTrue(metrics.get("framebus_camera_process_resident_memory_bytes{camera=\"webcam\"}") > 1_000_000);
        assertFalse("no frame age without a frame", metrics.containsKey("framebus_camera_latest_frame_age_seconds{camera=\"nourl\"}"));

        // health checks: one per camera, by tag, through the executor service ...
        HealthCheckExecutor executor = context.getService(context.getServiceReference(HealthCheckExecutor.class));
        Map<String, Result.Status> health = waitForValue(Duration.ofSeconds(30), "webcam OK and nourl CRITICAL", () -> {
            Map<String, Result.Status> byName = new HashMap<>();
            for (HealthCheckExecutionResult r : executor.execute(HealthCheckSelector.tags("framebus", "camera"))) {
                byName.put(r.getHealthCheckMetadata().getName(), r.getHealthCheckResult().getStatus());
            }
            return byName.get("framebus camera webcam") == Result.Status.OK
                    && byName.get("framebus camera nourl") == Result.Status.CRITICAL ? byName : null;
        });
        assertEquals(health.toString(), 2, health.size());
        // ... and the standard health-check servlet (CRITICAL answers 503)
        Configuration hcServlet = configAdmin.getFactoryConfiguration(HC_SERVLET_FACTORY_PID, "webit", "?");
        Dictionary<String, Object> hcProps = new Hashtable<>();
        hcProps.put("servletPath", "/system/health");
        hcServlet.update(hcProps);
        try {
            HttpResponse<String> hc = waitForValue(Duration.ofSeconds(30), "the health-check servlet", () -> {
                HttpResponse<String> r = get(origin(context) + "/system/health/framebus.json");
                return r != null && r.statusCode() != 404 ? r : null;
            });
            assertEquals(hc.body(), 503, hc.statusCode());
            assertTrue(hc.body(), hc.body().contains("framebus camera webcam") && hc.body().contains("framebus camera nourl"));
            assertTrue(hc.body(), hc.body().contains("\"overallResult\":\"CRITICAL\""));
        } finally {
            hcServlet.delete();
        }

        // a restart is a POST, from this origin or from no browser at all
        HttpResponse<String> getRestart = get(base + "api/cameras/webcam/restart");
        assertEquals(405, getRestart.statusCode());
        assertEquals("POST", getRestart.headers().firstValue("Allow").orElse(""));
        assertEquals(403, post(base + "api/cameras/webcam/restart", "https://evil.example").statusCode());
        assertEquals(0, webcam.status().restarts());
        assertEquals(409, post(base + "api/cameras/nourl/restart", null).statusCode());
        assertEquals(404, post(base + "api/cameras/nosuchcamera/restart", null).statusCode());
        long pid = webcam.status().pid();
        HttpResponse<String> restart = post(base + "api/cameras/webcam/restart", null);
        assertEquals(restart.body(), 202, restart.statusCode());
        FrameSource again = waitForSource("webcam");
        SourceStatus restarted = waitForStatus(again, Duration.ofSeconds(60), "restarted and streaming",
                s -> s.state() == SourceState.STREAMING && s.restarts() == 1 && s.pid() != pid, null);
        assertTrue(restarted.toString(), osgiLog.stream().anyMatch(l -> l.contains("camera webcam: restart requested over HTTP")));
    }

    @Test
    public void mjpegPreviewStreamsNewFramesOnlyWhileAClientIsConnected() throws Exception {
        Map<String, Object> cfg = testPattern("preview", 640, 480, 10);
        cfg.put("pixelFormat", "NV12");
        camera("preview", cfg);
        FrameSource preview = waitForSource("preview");
        waitForStatus(preview, Duration.ofSeconds(60), "streaming", s -> s.state() == SourceState.STREAMING, null);
        String base = origin(context) + "/framebus/";
        waitFor(Duration.ofSeconds(30), "the web answers", () -> {
            HttpResponse<String> r = get(base + "api/cameras");
            return r != null && r.statusCode() == 200;
        });
        assertEquals(0.0, parseMetrics(get(base + "metrics").body()).get("framebus_web_preview_streams"), 0);

        int port = Integer.parseInt(context.getProperty("org.osgi.service.http.port"));
        // HTTP/1.0: the stream comes without chunked encoding, and closing the socket is the client leaving
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /framebus/cameras/preview/mjpeg?width=320 HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String status = readLine(in);
            assertTrue(status, status.matches("HTTP/1\\.[01] 200.*"));
            Map<String, String> headers = readHeaders(in);
            assertEquals("multipart/x-mixed-replace; boundary=framebus-frame", headers.get("content-type"));
            assertEquals("--framebus-frame", readLine(in));
            String previous = null;
            for (int part = 0; part < 3; part++) {
                Map<String, String> partHeaders = readHeaders(in);
                assertEquals("image/jpeg", partHeaders.get("content-type"));
                byte[] jpeg = in.readNBytes(Integer.parseInt(partHeaders.get("content-length")));
                BufferedImage img = jpeg(jpeg);
                assertEquals("scaled down to the asked width", 320, img.getWidth());
                assertEquals(240, img.getHeight());
                String frame = partHeaders.get("x-framebus-frame");
                assertFalse("each part is a new frame: " + frame, frame.equals(previous));
                previous = frame;
                assertEquals("", readLine(in));
                assertEquals("--framebus-frame", readLine(in));
            }
            assertEquals(1.0, parseMetrics(get(base + "metrics").body()).get("framebus_web_preview_streams"), 0);
        }
        // the server notices at its next write that nobody is there, and stops
        waitFor(Duration.ofSeconds(30), "the preview stream ended after the client left",
                () -> parseMetrics(get(base + "metrics").body()).get("framebus_web_preview_streams") == 0.0);

        // a stream being watched ends when the web's components go away (here: a new preview configuration)
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write("GET /framebus/cameras/preview/mjpeg HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = new BufferedInputStream(socket.getInputStream());
            assertTrue(readLine(in).matches("HTTP/1\\.[01] 200.*"));
            readHeaders(in);
            assertEquals("--framebus-frame", readLine(in));
            Map<String, String> partHeaders = readHeaders(in);
            assertEquals("full size up to maxWidth (640)", 640, jpeg(in.readNBytes(Integer.parseInt(partHeaders.get("content-length")))).getWidth());
            Configuration previewConfig = configAdmin.getConfiguration("io.framebus.web.preview", "?");
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("maxFps", 2.0);
            previewConfig.update(props);
            try {
                byte[] buffer = new byte[65536];
                while (in.read(buffer) != -1) {
                    // parts until the server ends the stream; a read timeout (30 s) fails the test
                }
            } finally {
                previewConfig.delete();
            }
        }
    }

    // ---- HTTP helpers

    static HttpResponse<String> get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null; // not listening yet: the caller polls
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<byte[]> getBytesResponse(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] getBytes(String url) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = getBytesResponse(url);
        assertEquals(url, 200, r.statusCode());
        assertEquals("image/jpeg", r.headers().firstValue("Content-Type").orElse(""));
        return r.body();
    }

    static HttpResponse<String> post(String url, String origin) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (origin != null) {
            b.header("Origin", origin);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static BufferedImage jpeg(byte[] bytes) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        assertNotNull("decodes as an image", img);
        return img;
    }

    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*\\})?) "
                    + "(NaN|[+-]Inf|-?[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)");

    /** Series (name with labels, as written) to value; fails on any line that is not HELP, TYPE or a sample. */
    static Map<String, Double> parseMetrics(String text) {
        Map<String, Double> out = new HashMap<>();
        String family = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                family = line.split(" ")[2];
            } else if (line.startsWith("# TYPE ")) {
                String[] t = line.split(" ");
                assertEquals("TYPE after its HELP", family, t[2]);
                assertTrue(line, List.of("counter", "gauge").contains(t[3]));
            } else {
                Matcher m = SAMPLE.matcher(line);
                assertTrue("a sample line: " + line, m.matches());
                assertTrue("a sample of its family: " + line, m.group(1).equals(family) || m.group(1).startsWith(family + "{"));
                assertTrue("series once: " + line, out.put(m.group(1), Double.parseDouble(m.group(2).replace("Inf", "Infinity"))) == null);
            }
        }
        return out;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            line.write(c);
        }
        String s = line.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> headers = new HashMap<>();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).trim());
        }
        return headers;
    }
}
