package io.framebus.manager.internal;

import io.framebus.api.FrameFormat;
import io.framebus.contract.CaptureOutput;
import io.framebus.contract.CaptureSettings;
import io.framebus.contract.InvalidSettingsException;
import io.framebus.contract.SecretMasker;
import io.framebus.shm.RingDirectory;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * A camera configuration checked completely before anything starts: either every value is usable, or
 * {@link InvalidCameraException} names each problem with the key a user must change.
 *
 * <p>What the capture process will be told is validated here by the contract's own
 * {@link CaptureSettings#parse}, the very code the capture process runs on its stdin, so the two sides cannot
 * disagree on a key, a default or a limit. Only what the manager alone uses (restart policy, JVM options, the free
 * space of the ring directory) is checked here.
 *
 * @param capture the settings document of the capture process (generation 1; each spawn asks for a newer one)
 */
record CameraSettings(String id, String name, boolean enabled, CaptureSettings capture, int stallTimeoutMillis,
                      int maxRestarts, int restartWindowMillis, List<String> jvmArgs) {

    /** Capture-document keys that the camera configuration spells differently. */
    private static final Map<String, String> CONFIG_KEY = Map.of(
            CaptureSettings.CAMERA_ID, "id",
            CaptureSettings.SLOTS, "ringSlots",
            CaptureSettings.CONNECT_TIMEOUT_MILLIS, "connectTimeout",
            CaptureSettings.READ_TIMEOUT_MILLIS, "readTimeout",
            CaptureSettings.RECONNECT_DELAY_MILLIS, "reconnectDelay",
            CaptureSettings.RECONNECT_DELAY_MAX_MILLIS, "reconnectDelayMax");

    /** The reason a configuration was refused; the message names the camera and every offending key. */
    static final class InvalidCameraException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidCameraException(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return "CameraSettings[" + id + " " + displayUrl() + "]"; // never the URL's password
    }

    String url() {
        return capture.url();
    }

    /** The URL as it may be shown: password masked. */
    String displayUrl() {
        return SecretMasker.maskUrls(capture.url());
    }

    /** The masker for any text about this camera (log lines, errors): the URL's password never shows. */
    SecretMasker masker() {
        return new SecretMasker(capture.url());
    }

    double fps() {
        return capture.fps();
    }

    /** Fixed output geometry, or null when it comes from the source. */
    FrameFormat fixedFormat() {
        return capture.fixedSize() ? capture.outputFormat(capture.width(), capture.height()) : null;
    }

    /**
     * Checks {@code c}; {@code ringDirectory} is where its ring will be, {@code freeRingBytes} the free space there
     * (-1 unknown).
     *
     * @throws InvalidCameraException naming every problem found
     */
    static CameraSettings validate(CameraConfig c, Path ringDirectory, long freeRingBytes)
            throws InvalidCameraException {
        List<String> problems = new ArrayList<>();
        unresolved(problems, "url", c.url());
        unresolved(problems, "username", c.username());
        unresolved(problems, "password", c.password());
        String id = c.id() == null ? "" : c.id().trim();
        String rawUrl = c.url() == null ? "" : c.url().trim();
        SecretMasker masker = new SecretMasker(withCredentials(rawUrl, c.username(), c.password()));
        Properties doc = new Properties();
        doc.setProperty(CaptureSettings.CAMERA_ID, id);
        doc.setProperty(CaptureSettings.URL, withCredentials(rawUrl, c.username(), c.password()));
        if (RingDirectory.CAMERA_ID.matcher(id).matches()) {
            doc.setProperty(CaptureSettings.RING_PATH, RingDirectory.ringPath(ringDirectory, id).toString());
        } else {
            doc.setProperty(CaptureSettings.RING_PATH, ringDirectory.resolve("invalid" + RingDirectory.SUFFIX).toString());
        }
        doc.setProperty(CaptureSettings.WIDTH, Integer.toString(c.width()));
        doc.setProperty(CaptureSettings.HEIGHT, Integer.toString(c.height()));
        doc.setProperty(CaptureSettings.PIXEL_FORMAT, String.valueOf(c.pixelFormat()).trim());
        doc.setProperty(CaptureSettings.FPS, Double.toString(c.fps()));
        doc.setProperty(CaptureSettings.SLOTS, Integer.toString(c.ringSlots()));
        doc.setProperty(CaptureSettings.RTSP_TRANSPORT, String.valueOf(c.rtspTransport()).trim());
        doc.setProperty(CaptureSettings.DECODE_MODE, String.valueOf(c.decodeMode()).trim());
        doc.setProperty(CaptureSettings.CONNECT_TIMEOUT_MILLIS, Integer.toString(c.connectTimeout()));
        doc.setProperty(CaptureSettings.READ_TIMEOUT_MILLIS, Integer.toString(c.readTimeout()));
        doc.setProperty(CaptureSettings.RECONNECT_DELAY_MILLIS, Integer.toString(c.reconnectDelay()));
        doc.setProperty(CaptureSettings.RECONNECT_DELAY_MAX_MILLIS, Integer.toString(c.reconnectDelayMax()));
        List<String> outputProblems = new ArrayList<>();
        List<CaptureOutput> outputs = CaptureOutput.parseAll(c.outputs(), c.fps(), outputProblems);
        outputProblems.forEach(m -> problems.add("outputs: " + m));
        if (outputProblems.isEmpty()) {
            doc.setProperty(CaptureSettings.OUTPUTS, CaptureOutput.join(outputs));
        }
        CaptureSettings capture = null;
        try {
            capture = CaptureSettings.parse(doc);
        } catch (InvalidSettingsException e) {
            for (InvalidSettingsException.Problem p : e.problems()) {
                String key = CONFIG_KEY.getOrDefault(p.key(), p.key());
                problems.add(masker.mask(key.equals("id") && id.isEmpty() ? "id is missing"
                        : key.equals("url") && rawUrl.isEmpty() ? "url is missing" : key + " " + p.message()));
            }
        }
        if ((c.width() == 0) != (c.height() == 0)) {
            problems.add("width and height must both be 0 (the source's size) or both be set, got " + c.width()
                    + "x" + c.height());
        }
        range(problems, "stallTimeout", c.stallTimeout(), 1000, 600_000);
        range(problems, "maxRestarts", c.maxRestarts(), 1, 1000);
        range(problems, "restartWindow", c.restartWindow(), 1000, 86_400_000);
        List<String> jvmArgs = JvmOptions.split(c.jvmArgs());
        String refused = JvmOptions.problem(jvmArgs);
        if (refused != null) {
            problems.add("jvmArgs " + refused);
        }
        if (capture != null && capture.ringFileBytes() > 0 && freeRingBytes >= 0
                && capture.ringFileBytes() > freeRingBytes) {
            problems.add(String.format(Locale.ROOT, "a ring of %d x %dx%d %s frames needs %.1f MiB, the ring "
                    + "directory has %.1f MiB free (reduce width/height or ringSlots)", capture.slots(),
                    capture.width(), capture.height(), capture.pixelFormat(), capture.ringFileBytes() / 1048576.0,
                    freeRingBytes / 1048576.0));
        } else if (capture != null && capture.outputRingFileBytes() > 0 && freeRingBytes >= 0
                && Math.max(0, capture.ringFileBytes()) + capture.outputRingFileBytes() > freeRingBytes) {
            problems.add(String.format(Locale.ROOT, "outputs: the rings of the outputs need %.1f MiB (with main's "
                    + "%.1f MiB), the ring directory has %.1f MiB free (reduce the outputs' sizes or ringSlots)",
                    capture.outputRingFileBytes() / 1048576.0, Math.max(0, capture.ringFileBytes()) / 1048576.0,
                    freeRingBytes / 1048576.0));
        }
        if (!problems.isEmpty()) {
            throw new InvalidCameraException("camera " + (id.isEmpty() ? "(no id)" : "'" + shorten(id) + "'")
                    + ": " + String.join("; ", problems));
        }
        String name = c.name() == null || c.name().isBlank() ? id : c.name().trim();
        return new CameraSettings(id, name, c.enabled(), capture, c.stallTimeout(), c.maxRestarts(),
                c.restartWindow(), jvmArgs);
    }

    /** The settings document for the capture process's stdin, for ring generation {@code generation}. */
    String captureDocument(long generation) {
        return capture.withGeneration(generation).document();
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

    /** A placeholder ConfigAdmin's interpolation plugin left as it was: its secret file or variable is missing. */
    private static final java.util.regex.Pattern PLACEHOLDER = java.util.regex.Pattern.compile(
            "\\$\\[(secret|env):([^\\]\\s]{1,200})\\]");

    /**
     * A value still holding {@code $[secret:NAME]} or {@code $[env:NAME]}: the interpolation plugin found no such
     * secret (or is not installed), and the placeholder text would silently become the password. The placeholder
     * names a file or variable, not the secret, so it may be shown.
     */
    private static void unresolved(List<String> problems, String key, String value) {
        if (value == null) {
            return;
        }
        java.util.regex.Matcher m = PLACEHOLDER.matcher(value);
        if (m.find()) {
            problems.add(key + " refers to " + (m.group(1).equals("secret")
                    ? "the secret '" + m.group(2) + "', which was not found (a file of that name in the secrets "
                    + "folder, readable by the runtime)"
                    : "the environment variable " + m.group(2) + ", which is not set")
                    + " or ConfigAdmin's interpolation plugin is not running");
        }
    }

    private static void range(List<String> problems, String key, long value, long min, long max) {
        if (value < min || value > max) {
            problems.add(key + " must be " + min + ".." + max + ", got " + value);
        }
    }

    private static String shorten(String s) {
        return s.length() <= 70 ? s : s.substring(0, 67) + "...";
    }
}
