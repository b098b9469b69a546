package io.framebus.manager.internal;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import io.framebus.shm.RingDirectory;
import io.framebus.shm.RingWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * A camera configuration checked completely before anything starts: either every value is usable, or
 * {@link InvalidCameraException} names each problem with the key a user must change.
 */
record CameraSettings(String id, String name, String url, boolean enabled, int width, int height,
                      PixelFormat pixelFormat, double fps, int ringSlots, String rtspTransport, String decodeMode,
                      int connectTimeoutMillis, int readTimeoutMillis, int reconnectDelayMillis,
                      int reconnectDelayMaxMillis, int stallTimeoutMillis, int maxRestarts, int restartWindowMillis,
                      List<String> jvmArgs) {

    private static final Set<String> NETWORK_SCHEMES = Set.of("rtsp", "rtsps", "http", "https");

    /** The reason a configuration was refused; the message names the camera and every offending key. */
    static final class InvalidCameraException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidCameraException(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return "CameraSettings[" + id + " " + Secrets.maskUrl(url) + "]"; // never the URL's password
    }

    /** The URL as it may be shown: user info masked. */
    String displayUrl() {
        return Secrets.maskUrl(url);
    }

    /** Fixed output geometry, or null when it comes from the source. */
    FrameFormat fixedFormat() {
        return width > 0 ? new FrameFormat(width, height, pixelFormat) : null;
    }

    /**
     * Checks {@code c}; {@code freeRingBytes} is the free space of the ring directory (-1 unknown).
     *
     * @throws InvalidCameraException naming every problem found
     */
    static CameraSettings validate(CameraConfig c, long freeRingBytes) throws InvalidCameraException {
        List<String> problems = new ArrayList<>();
        String id = c.id() == null ? "" : c.id().trim();
        if (id.isEmpty()) {
            problems.add("id is missing");
        } else if (!RingDirectory.CAMERA_ID.matcher(id).matches()) {
            problems.add("id '" + shorten(id) + "' must be 1-64 characters of A-Z a-z 0-9 . _ - and not start with a dot");
        }
        String url = c.url() == null ? "" : c.url().trim();
        if (url.isEmpty()) {
            problems.add("url is missing");
        } else {
            String problem = checkUrl(url);
            if (problem != null) {
                problems.add(problem);
            } else {
                url = withCredentials(url, c.username(), c.password());
            }
        }
        PixelFormat pixelFormat = null;
        try {
            pixelFormat = PixelFormat.valueOf(String.valueOf(c.pixelFormat()).trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add("pixelFormat '" + c.pixelFormat() + "' is not one of BGR24, RGB24, GRAY8, YUV420P, NV12");
        }
        range(problems, "width", c.width(), 0, 8192);
        range(problems, "height", c.height(), 0, 8192);
        if ((c.width() == 0) != (c.height() == 0)) {
            problems.add("width and height must both be 0 (the source's size) or both be set, got " + c.width() + "x" + c.height());
        }
        if (!(c.fps() >= 0 && c.fps() <= 240)) {
            problems.add("fps must be 0 (every frame) to 240, got " + c.fps());
        }
        range(problems, "ringSlots", c.ringSlots(), RingWriter.MIN_SLOTS, RingWriter.MAX_SLOTS);
        String transport = String.valueOf(c.rtspTransport()).trim().toLowerCase(Locale.ROOT);
        if (!transport.equals("tcp") && !transport.equals("udp")) {
            problems.add("rtspTransport must be tcp or udp, got '" + c.rtspTransport() + "'");
        }
        String decodeMode = String.valueOf(c.decodeMode()).trim().toLowerCase(Locale.ROOT);
        if (!decodeMode.equals("all") && !decodeMode.equals("keyframes")) {
            problems.add("decodeMode must be all or keyframes, got '" + c.decodeMode() + "'");
        }
        range(problems, "connectTimeout", c.connectTimeout(), 100, 600_000);
        range(problems, "readTimeout", c.readTimeout(), 0, 600_000);
        range(problems, "reconnectDelay", c.reconnectDelay(), 10, 600_000);
        range(problems, "reconnectDelayMax", c.reconnectDelayMax(), 10, 3_600_000);
        if (c.reconnectDelayMax() < c.reconnectDelay()) {
            problems.add("reconnectDelayMax (" + c.reconnectDelayMax() + ") must not be below reconnectDelay ("
                    + c.reconnectDelay() + ")");
        }
        range(problems, "stallTimeout", c.stallTimeout(), 1000, 600_000);
        range(problems, "maxRestarts", c.maxRestarts(), 1, 1000);
        range(problems, "restartWindow", c.restartWindow(), 1000, 86_400_000);
        if (pixelFormat != null && c.width() > 0 && c.height() > 0 && c.ringSlots() >= RingWriter.MIN_SLOTS
                && c.ringSlots() <= RingWriter.MAX_SLOTS) {
            long frame = pixelFormat.frameBytes(c.width(), c.height());
            long ring = 4096 + c.ringSlots() * (frame + 8192);
            if (ring > Integer.MAX_VALUE) {
                problems.add(String.format(Locale.ROOT, "%d x %dx%d %s frames make a %.1f GiB ring, over the 2 GiB "
                        + "a ring file can have (reduce width/height or ringSlots)", c.ringSlots(), c.width(), c.height(),
                        pixelFormat, ring / 1073741824.0));
            } else if (freeRingBytes >= 0 && ring > freeRingBytes) {
                problems.add(String.format(Locale.ROOT, "a ring of %d x %dx%d %s frames needs %.1f MiB, the ring "
                        + "directory has %.1f MiB free (reduce width/height or ringSlots)", c.ringSlots(), c.width(),
                        c.height(), pixelFormat, ring / 1048576.0, freeRingBytes / 1048576.0));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidCameraException("camera " + (id.isEmpty() ? "(no id)" : "'" + shorten(id) + "'")
                    + ": " + String.join("; ", problems));
        }
        String name = c.name() == null || c.name().isBlank() ? id : c.name().trim();
        return new CameraSettings(id, name, url, c.enabled(), c.width(), c.height(), pixelFormat, c.fps(),
                c.ringSlots(), transport, decodeMode, c.connectTimeout(), c.readTimeout(), c.reconnectDelay(),
                c.reconnectDelayMax(), c.stallTimeout(), c.maxRestarts(), c.restartWindow(),
                splitArgs(c.jvmArgs()));
    }

    /** The settings document for the capture process's stdin (see docs/capture-process.md). */
    String captureDocument(Path ringPath, long generation) {
        Properties p = new Properties();
        p.setProperty("cameraId", id);
        p.setProperty("url", url);
        p.setProperty("ringPath", ringPath.toString());
        p.setProperty("width", Integer.toString(width));
        p.setProperty("height", Integer.toString(height));
        p.setProperty("pixelFormat", pixelFormat.name());
        p.setProperty("fps", Double.toString(fps));
        p.setProperty("slots", Integer.toString(ringSlots));
        p.setProperty("rtspTransport", rtspTransport);
        p.setProperty("decodeMode", decodeMode);
        p.setProperty("connectTimeoutMillis", Integer.toString(connectTimeoutMillis));
        p.setProperty("readTimeoutMillis", Integer.toString(readTimeoutMillis));
        p.setProperty("reconnectDelayMillis", Integer.toString(reconnectDelayMillis));
        p.setProperty("reconnectDelayMaxMillis", Integer.toString(reconnectDelayMaxMillis));
        p.setProperty("generation", Long.toString(generation));
        p.setProperty("loop", "true");
        StringWriter out = new StringWriter();
        try {
            p.store(out, null);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        // Properties.store starts with a date comment; the document ends at the first empty line
        return out.toString().lines().filter(l -> !l.startsWith("#")).reduce("", (a, l) -> a + l + "\n") + "\n";
    }

    private static String checkUrl(String url) {
        if (url.startsWith("testsrc:")) {
            return null;
        }
        if (url.startsWith("/")) {
            return null; // a file path: its existence is the capture process's business (it may appear later)
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "url is not a valid URL (" + Secrets.maskUrl(e.getReason()) + ")";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("file")) {
            return uri.getPath() == null || uri.getPath().isEmpty() ? "url file: has no path" : null;
        }
        if (!NETWORK_SCHEMES.contains(scheme)) {
            return "url scheme '" + scheme + "' is not supported (use rtsp, rtsps, http, https, file or testsrc:)";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return "url " + Secrets.maskUrl(url) + " has no host";
        }
        if (uri.getPort() > 65535) {
            return "url port " + uri.getPort() + " is out of range";
        }
        return null;
    }

    private static String withCredentials(String url, String user, String password) {
        if (user == null || user.isEmpty() || url.startsWith("testsrc:") || url.startsWith("/")) {
            return url;
        }
        int scheme = url.indexOf("://");
        if (scheme < 0 || url.substring(scheme + 3).contains("@")) {
            return url; // the URL's own credentials win
        }
        String info = enc(user) + (password == null || password.isEmpty() ? "" : ":" + enc(password));
        return url.substring(0, scheme + 3) + info + "@" + url.substring(scheme + 3);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void range(List<String> problems, String key, long value, long min, long max) {
        if (value < min || value > max) {
            problems.add(key + " must be " + min + ".." + max + ", got " + value);
        }
    }

    private static List<String> splitArgs(String args) {
        List<String> out = new ArrayList<>();
        if (args != null) {
            for (String a : args.trim().split("\\s+")) {
                if (!a.isEmpty()) {
                    out.add(a);
                }
            }
        }
        return List.copyOf(out);
    }

    private static String shorten(String s) {
        return s.length() <= 70 ? s : s.substring(0, 67) + "...";
    }
}
