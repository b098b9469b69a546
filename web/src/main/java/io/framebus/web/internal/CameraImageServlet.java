package io.framebus.web.internal;

import io.framebus.manager.image.FrameImages;

import io.framebus.api.FrameInfo;
import io.framebus.api.FrameSource;
import io.framebus.api.SourceStatus;
import io.framebus.manager.CameraRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * {@code /framebus/cameras/<id>/snapshot.jpg} (the newest frame; {@code ?width=} scales it down) and
 * {@code /framebus/cameras/<id>/mjpeg} (a live multipart/x-mixed-replace preview at most
 * {@link PreviewConfig#maxFps()} frames per second). A preview encodes only while its client is connected, only
 * frames it has not sent yet, and ends when a write fails (the client left) or the component goes away.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/framebus/cameras/*")
@HttpWhiteboardServletName("framebus-camera-images")
public final class CameraImageServlet extends HttpServlet {
    private static final String MAIN = "main";
    private static final java.util.regex.Pattern OUTPUT_NAME = java.util.regex.Pattern.compile("[a-z0-9_-]{1,32}");

    private static final long serialVersionUID = 1L;
    private static final String BOUNDARY = "framebus-frame";
    /** A preview re-sends its last frame this often while its camera has none newer: writing shows a client is gone. */
    private static final long KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** A preview whose camera delivers no first frame within this time ends. */
    private static final long FIRST_FRAME_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final int MIN_WIDTH = 16;

    private final transient CameraRegistry registry;
    private final transient PreviewStreams streams;
    private final transient Logger log;
    /** Counted down when the servlet is taken out of service: its previews end at their next frame interval. */
    private final transient CountDownLatch stopped = new CountDownLatch(1);

    @Activate
    public CameraImageServlet(@Reference CameraRegistry registry, @Reference PreviewStreams streams,
                              @Reference(service = LoggerFactory.class) Logger log,
                              @Reference WebAccessFilter guardedBy) { // served only behind the access filter
        this.registry = registry;
        this.streams = streams;
        this.log = log;
    }

    @Override
    public void destroy() {
        stopped.countDown(); // the whiteboard removes the servlet before DS deactivates the component
        super.destroy();
    }

    @Deactivate
    void deactivate() {
        stopped.countDown();
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        CameraPaths.CameraPath path = CameraPaths.parse(req.getPathInfo());
        if (path == null || path.action() == null) {
            HttpResponses.text(resp, HttpServletResponse.SC_NOT_FOUND,
                    "not found: use /framebus/cameras/<id>/snapshot.jpg or /mjpeg");
            return;
        }
        String output = output(req, resp);
        if (output == null) {
            return;
        }
        switch (path.action()) {
            case "snapshot.jpg" -> snapshot(path.cameraId(), output, req, resp);
            case "mjpeg" -> mjpeg(path.cameraId(), output, req, resp);
            default -> HttpResponses.text(resp, HttpServletResponse.SC_NOT_FOUND, "not found: " + path.action());
        }
    }

    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        // HttpServlet's HEAD runs doGet without a body: endless for a preview, a wasted encode for a snapshot
        CameraPaths.CameraPath path = CameraPaths.parse(req.getPathInfo());
        if (path == null || !("snapshot.jpg".equals(path.action()) || "mjpeg".equals(path.action()))) {
            resp.setStatus(HttpServletResponse.SC_NOT_FOUND);
        } else if (registry.source(path.cameraId(), outputOrMain(req)).isEmpty()) {
            resp.setStatus(known(path.cameraId()) ? HttpServletResponse.SC_SERVICE_UNAVAILABLE
                    : HttpServletResponse.SC_NOT_FOUND);
        } else {
            resp.setContentType("mjpeg".equals(path.action()) ? "multipart/x-mixed-replace; boundary=" + BOUNDARY
                    : "image/jpeg");
            HttpResponses.noStore(resp);
        }
    }

    /** The {@code output} parameter ({@code main} when absent), or null after answering 400 for a bad one. */
    private static String output(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String v = req.getParameter("output");
        if (v == null || v.isEmpty()) {
            return MAIN;
        }
        if (!OUTPUT_NAME.matcher(v).matches()) {
            HttpResponses.text(resp, HttpServletResponse.SC_BAD_REQUEST,
                    "output must be 1-32 characters of a-z 0-9 _ -");
            return null;
        }
        return v;
    }

    private static String outputOrMain(HttpServletRequest req) {
        String v = req.getParameter("output");
        return v == null || !OUTPUT_NAME.matcher(v).matches() ? MAIN : v;
    }

    private void snapshot(String id, String output, HttpServletRequest req, HttpServletResponse resp)
            throws IOException {
        Integer width = intParam(req, "width", 0, resp);
        if (width == null) {
            return;
        }
        Optional<FrameSource> source = source(id, output, resp);
        if (source.isEmpty()) {
            return;
        }
        if (!streams.startSnapshot()) {
            resp.setHeader("Retry-After", "1");
            HttpResponses.text(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "too many snapshots are being made (maxSnapshots of " + PreviewConfig.PID + ")");
            return;
        }
        FrameGrabber.Grab grab;
        byte[] jpeg;
        try {
            grab = FrameGrabber.grab(source.get(), Math.max(MIN_WIDTH, streams.snapshotWidth(width)), null);
            if (grab == null) {
                noFrame(id, resp);
                return;
            }
            jpeg = FrameImages.jpeg(grab.image(), streams.jpegQuality());
        } finally {
            streams.snapshotDone();
        }
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType("image/jpeg");
        HttpResponses.noStore(resp);
        frameHeaders(resp, grab.info());
        resp.setContentLength(jpeg.length);
        resp.getOutputStream().write(jpeg);
    }

    private void mjpeg(String id, String output, HttpServletRequest req, HttpServletResponse resp)
            throws IOException {
        Integer width = intParam(req, "width", streams.maxWidth(), resp);
        Double fps = width == null ? null : doubleParam(req, "fps", streams.maxFps(), resp);
        if (fps == null) {
            return;
        }
        int maxWidth = Math.max(MIN_WIDTH, Math.min(width, streams.maxWidth()));
        long intervalNanos = streams.previewIntervalNanos(fps);
        if (intervalNanos < 0) {
            HttpResponses.text(resp, HttpServletResponse.SC_BAD_REQUEST, "fps must be > 0");
            return;
        }
        double rate = TimeUnit.SECONDS.toNanos(1) / (double) intervalNanos;
        if (source(id, output, resp).isEmpty()) {
            return;
        }
        PreviewStreams.Slot slot = streams.open();
        if (slot == null) {
            resp.setHeader("Retry-After", "10");
            HttpResponses.text(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "too many previews are streaming (maxStreams of " + PreviewConfig.PID + ")");
            return;
        }
        try (slot) {
            log.debug("camera {}: preview to {} started ({} fps, <= {} px wide)", id, req.getRemoteAddr(), rate,
                    maxWidth);
            resp.setStatus(HttpServletResponse.SC_OK);
            resp.setContentType("multipart/x-mixed-replace; boundary=" + BOUNDARY);
            HttpResponses.noStore(resp);
            OutputStream out = resp.getOutputStream();
            out.write(("--" + BOUNDARY + "\r\n").getBytes(StandardCharsets.US_ASCII));
            stream(id, output, maxWidth, intervalNanos, out, resp);
            log.debug("camera {}: preview to {} ended", id, req.getRemoteAddr());
        } catch (IOException clientGone) {
            log.debug("camera {}: preview to {} ended: {}", id, req.getRemoteAddr(), clientGone.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stream(String id, String output, int maxWidth, long intervalNanos, OutputStream out, HttpServletResponse resp)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        long next = start;
        long lastWrite = start;
        FrameInfo sent = null;
        byte[] last = null;
        while (!stopping()) {
            Optional<FrameSource> source = registry.source(id, output);
            if (source.isEmpty() && !known(id)) {
                return; // the camera was removed
            }
            FrameInfo have = sent;
            FrameGrabber.Grab grab = source.map(s -> FrameGrabber.grab(s, maxWidth, have)).orElse(null);
            long now = System.nanoTime();
            if (grab != null && grab != FrameGrabber.SAME) {
                last = FrameImages.jpeg(grab.image(), streams.jpegQuality());
                sent = grab.info();
                part(out, resp, last, sent);
                lastWrite = now;
            } else if (last != null && now - lastWrite > KEEPALIVE_NANOS) {
                part(out, resp, last, sent);
                lastWrite = now;
            } else if (last == null && now - start > FIRST_FRAME_NANOS) {
                return;
            }
            next = Math.max(next + intervalNanos, now); // after a slow round, no burst to catch up
            long wait = next - System.nanoTime();
            if (wait > 0 && stopped.await(wait, TimeUnit.NANOSECONDS)) {
                return;
            }
        }
    }

    private boolean stopping() {
        return stopped.getCount() == 0 || streams.closing();
    }

    private static void part(OutputStream out, HttpServletResponse resp, byte[] jpeg, FrameInfo info) throws IOException {
        String head = "Content-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\nX-Framebus-Frame: "
                + info.generation() + "/" + info.sequence() + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(jpeg);
        // the boundary right after the part lets browsers show the frame now, not when the next one starts
        out.write(("\r\n--" + BOUNDARY + "\r\n").getBytes(StandardCharsets.US_ASCII));
        resp.flushBuffer();
    }

    private Optional<FrameSource> source(String id, String output, HttpServletResponse resp) throws IOException {
        Optional<FrameSource> source = registry.source(id, output);
        if (source.isEmpty()) {
            if (known(id) && !registry.outputs(id).contains(output)) {
                HttpResponses.text(resp, HttpServletResponse.SC_NOT_FOUND, "camera " + id + " has no output "
                        + output + " (its outputs: " + String.join(", ", registry.outputs(id)) + ")");
            } else {
                noFrame(id, resp);
            }
        }
        return source;
    }

    private void noFrame(String id, HttpServletResponse resp) throws IOException {
        Optional<SourceStatus> status = registry.statuses().stream()
                .filter(s -> s.cameraId().equals(id)).findFirst();
        if (status.isEmpty()) {
            HttpResponses.text(resp, HttpServletResponse.SC_NOT_FOUND, "no camera " + id);
        } else {
            resp.setHeader("Retry-After", "1");
            HttpResponses.text(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "camera " + id + " has no frame now (" + status.get().state() + ")");
        }
    }

    private boolean known(String id) {
        return registry.statuses().stream().anyMatch(s -> s.cameraId().equals(id));
    }

    private static void frameHeaders(HttpServletResponse resp, FrameInfo info) {
        resp.setHeader("X-Framebus-Frame", info.generation() + "/" + info.sequence());
        resp.setHeader("X-Framebus-Frame-Age-Millis", Long.toString(info.age().toMillis()));
        resp.setHeader("X-Framebus-Frame-Time", info.captureTime().toString());
    }

    private static Integer intParam(HttpServletRequest req, String name, int dflt, HttpServletResponse resp)
            throws IOException {
        String v = req.getParameter(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            HttpResponses.text(resp, HttpServletResponse.SC_BAD_REQUEST, name + " must be an integer: " + v);
            return null;
        }
    }

    private static Double doubleParam(HttpServletRequest req, String name, double dflt, HttpServletResponse resp)
            throws IOException {
        String v = req.getParameter(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            HttpResponses.text(resp, HttpServletResponse.SC_BAD_REQUEST, name + " must be a number: " + v);
            return null;
        }
    }
}
