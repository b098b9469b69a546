package io.framebus.contract;

import io.framebus.api.FrameFormat;
import io.framebus.api.PixelFormat;
import io.framebus.shm.RingDirectory;
import io.framebus.shm.RingWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.io.StringWriter;

/**
 * Everything one capture process needs to know, read from the settings document on stdin (never from argv, which
 * every user on the host can read with {@code ps}).
 *
 * <p>The document is {@link java.util.Properties} text ended by the first empty line, for example:
 * <pre>
 * cameraId=front
 * url=rtsp://viewer:secret@192.0.2.10/stream1
 * ringPath=/dev/shm/framebus-alice/front.ring
 * width=1280
 * height=720
 * pixelFormat=BGR24
 * fps=6
 *
 * </pre>
 * Keys, with defaults (docs/capture-process.md has the full table):
 * <ul>
 *   <li>{@code cameraId} (required): {@code [A-Za-z0-9._-]{1,64}}, no leading dot; prefixes every log line.</li>
 *   <li>{@code url} (required): {@code rtsp://}, {@code rtsps://}, {@code http(s)://}, a file path or
 *       {@code file:} URL, or {@code testsrc:} with optional {@code size=WxH:rate=R:pattern=P:color=C}.</li>
 *   <li>{@code ringPath} (required): absolute path of the ring file, ending in {@code .ring}.</li>
 *   <li>{@code width}, {@code height} (0): output size; 0 and 0 = the source's size; one of them 0 = keep the
 *       source's aspect ratio.</li>
 *   <li>{@code pixelFormat} (BGR24): BGR24, RGB24, GRAY8, YUV420P, NV12.</li>
 *   <li>{@code fps} (6): maximum publish rate, frames beyond it are decoded and dropped; 0 = every frame.</li>
 *   <li>{@code slots} (4): ring slots, {@value RingWriter#MIN_SLOTS}..{@value RingWriter#MAX_SLOTS}.</li>
 *   <li>{@code rtspTransport} (tcp): tcp or udp.</li>
 *   <li>{@code connectTimeoutMillis} (5000), {@code readTimeoutMillis} (0 = max(2000, 5 frame intervals);
 *       10000 at least in keyframes mode).</li>
 *   <li>{@code reconnectDelayMillis} (500), {@code reconnectDelayMaxMillis} (30000).</li>
 *   <li>{@code decodeMode} (all): all or keyframes.</li>
 *   <li>{@code loop} (true): play a file source again from the start when it ends.</li>
 *   <li>{@code generation} (1): the least ring generation to use.</li>
 *   <li>{@code heartbeatMillis} (200): heartbeat period.</li>
 *   <li>{@code outputs} (empty): extra outputs besides the default one, separated by {@code ;}, each in the
 *       grammar of {@link CaptureOutput} (e.g. {@code detect: 640x640 RGB24 fps=2 fit}); output {@code o} goes into
 *       the ring {@code <id>~o.ring} next to {@code ringPath}.</li>
 * </ul>
 * Unknown keys are an error (a misspelt key would otherwise be silently ignored).
 */
public record CaptureSettings(String cameraId, String url, Path ringPath, int width, int height, PixelFormat pixelFormat,
                       double fps, int slots, RtspTransport rtspTransport, int connectTimeoutMillis,
                       int readTimeoutMillis, int reconnectDelayMillis, int reconnectDelayMaxMillis,
                       DecodeMode decodeMode, boolean loop, long generation, int heartbeatMillis,
                       List<CaptureOutput> outputs) {

    /** How RTSP media travels. TCP (interleaved) is the default: it survives NAT, firewalls and lossy Wi-Fi. */
    public enum RtspTransport { TCP, UDP }

    /** Which frames are decoded. */
    public enum DecodeMode {
        /** Every frame (published ones are limited by {@code fps}). */
        ALL,
        /** Only key frames: cheap, low-rate snapshots of many cameras. */
        KEYFRAMES
    }

    public static final String CAMERA_ID = "cameraId";
    public static final String URL = "url";
    public static final String RING_PATH = "ringPath";
    public static final String WIDTH = "width";
    public static final String HEIGHT = "height";
    public static final String PIXEL_FORMAT = "pixelFormat";
    public static final String FPS = "fps";
    public static final String SLOTS = "slots";
    public static final String RTSP_TRANSPORT = "rtspTransport";
    public static final String CONNECT_TIMEOUT_MILLIS = "connectTimeoutMillis";
    public static final String READ_TIMEOUT_MILLIS = "readTimeoutMillis";
    public static final String RECONNECT_DELAY_MILLIS = "reconnectDelayMillis";
    public static final String RECONNECT_DELAY_MAX_MILLIS = "reconnectDelayMaxMillis";
    public static final String DECODE_MODE = "decodeMode";
    public static final String LOOP = "loop";
    public static final String GENERATION = "generation";
    public static final String HEARTBEAT_MILLIS = "heartbeatMillis";
    public static final String OUTPUTS = "outputs";

    // Defaults, as compile-time constants so that the manager's metatype (annotation defaults) uses the very same.
    public static final String DEFAULT_PIXEL_FORMAT = "BGR24";
    /** The Python design's default: analytics rarely needs more, and every frame not converted is CPU saved. */
    public static final double DEFAULT_FPS = 6;
    public static final int DEFAULT_SLOTS = 4;
    public static final String DEFAULT_RTSP_TRANSPORT = "tcp";
    public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 5000;
    public static final int DEFAULT_READ_TIMEOUT_MILLIS = 0;
    public static final int DEFAULT_RECONNECT_DELAY_MILLIS = 500;
    public static final int DEFAULT_RECONNECT_DELAY_MAX_MILLIS = 30_000;
    public static final String DEFAULT_DECODE_MODE = "all";
    public static final int DEFAULT_HEARTBEAT_MILLIS = 200;

    // Limits, for both sides.
    public static final int MAX_DIMENSION = 16384;
    public static final double MAX_FPS = 1000;
    public static final int MIN_CONNECT_TIMEOUT_MILLIS = 100;
    public static final int MAX_TIMEOUT_MILLIS = 600_000;
    public static final int MIN_RECONNECT_DELAY_MILLIS = 10;
    public static final int MAX_RECONNECT_DELAY_MILLIS = 3_600_000;
    /** Read timeout floor: below that, ordinary network jitter would look like a stall. */
    public static final int MIN_READ_TIMEOUT_MILLIS = 2000;
    /** Read timeout floor in keyframes mode: cameras send a key frame every 1-10 s. */
    public static final int MIN_KEYFRAME_READ_TIMEOUT_MILLIS = 10_000;

    /** Every key, with its default ({@code null} = required), in documentation order. */
    public static final Map<String, String> KEYS;

    static {
        Map<String, String> k = new LinkedHashMap<>();
        k.put(CAMERA_ID, null);
        k.put(URL, null);
        k.put(RING_PATH, null);
        k.put(WIDTH, "0");
        k.put(HEIGHT, "0");
        k.put(PIXEL_FORMAT, DEFAULT_PIXEL_FORMAT);
        k.put(FPS, CaptureOutput.number(DEFAULT_FPS));
        k.put(SLOTS, Integer.toString(DEFAULT_SLOTS));
        k.put(RTSP_TRANSPORT, DEFAULT_RTSP_TRANSPORT);
        k.put(CONNECT_TIMEOUT_MILLIS, Integer.toString(DEFAULT_CONNECT_TIMEOUT_MILLIS));
        k.put(READ_TIMEOUT_MILLIS, Integer.toString(DEFAULT_READ_TIMEOUT_MILLIS));
        k.put(RECONNECT_DELAY_MILLIS, Integer.toString(DEFAULT_RECONNECT_DELAY_MILLIS));
        k.put(RECONNECT_DELAY_MAX_MILLIS, Integer.toString(DEFAULT_RECONNECT_DELAY_MAX_MILLIS));
        k.put(DECODE_MODE, DEFAULT_DECODE_MODE);
        k.put(LOOP, "true");
        k.put(GENERATION, "1");
        k.put(HEARTBEAT_MILLIS, Integer.toString(DEFAULT_HEARTBEAT_MILLIS));
        k.put(OUTPUTS, "");
        KEYS = java.util.Collections.unmodifiableMap(k);
    }

    /**
     * Validates a settings document.
     *
     * @throws InvalidSettingsException naming every invalid, missing or unknown key
     */
    public static CaptureSettings parse(Properties doc) throws InvalidSettingsException {
        Parser p = new Parser(doc);
        Set<String> unknown = new TreeSet<>(doc.stringPropertyNames());
        unknown.removeAll(KEYS.keySet());
        for (String key : unknown) {
            p.problem(key, "unknown key (known keys: " + String.join(", ", KEYS.keySet()) + ")");
        }

        String cameraId = p.required("cameraId");
        if (cameraId != null && !RingDirectory.CAMERA_ID.matcher(cameraId).matches()) {
            p.problem("cameraId", "'" + cameraId + "' must be 1-64 characters of A-Z a-z 0-9 . _ - and not start "
                    + "with a dot");
        }
        String url = p.required(URL);
        String urlProblem = url == null ? null : SourceUrl.problem(url);
        if (urlProblem != null) {
            p.problem(URL, urlProblem);
            url = null;
        }
        Path ringPath = null;
        String ring = p.required("ringPath");
        if (ring != null) {
            try {
                ringPath = Paths.get(ring);
                if (!ringPath.isAbsolute()) {
                    p.problem("ringPath", "must be an absolute path, got '" + ring + "'");
                } else if (!ring.endsWith(RingDirectory.SUFFIX) || ringPath.getFileName().toString().length()
                        <= RingDirectory.SUFFIX.length()) {
                    p.problem("ringPath", "must name a file ending in " + RingDirectory.SUFFIX + ", got '" + ring + "'");
                }
            } catch (InvalidPathException e) {
                p.problem("ringPath", "not a valid path: " + e.getMessage());
            }
        }
        int width = p.intValue("width", 0, MAX_DIMENSION);
        int height = p.intValue("height", 0, MAX_DIMENSION);
        PixelFormat pixelFormat = p.enumValue("pixelFormat", PixelFormat.class);
        double fps = p.doubleValue("fps", 0, MAX_FPS);
        int slots = p.intValue("slots", RingWriter.MIN_SLOTS, RingWriter.MAX_SLOTS);
        RtspTransport transport = p.enumValue("rtspTransport", RtspTransport.class);
        int connectTimeout = p.intValue("connectTimeoutMillis", MIN_CONNECT_TIMEOUT_MILLIS, MAX_TIMEOUT_MILLIS);
        int readTimeout = p.intValue("readTimeoutMillis", 0, MAX_TIMEOUT_MILLIS);
        if (readTimeout > 0 && readTimeout < 100) {
            p.problem("readTimeoutMillis", "must be 0 (automatic) or at least 100, got " + readTimeout);
        }
        int reconnectDelay = p.intValue("reconnectDelayMillis", MIN_RECONNECT_DELAY_MILLIS, MAX_TIMEOUT_MILLIS);
        int reconnectDelayMax = p.intValue("reconnectDelayMaxMillis", MIN_RECONNECT_DELAY_MILLIS,
                MAX_RECONNECT_DELAY_MILLIS);
        if (reconnectDelayMax < reconnectDelay) {
            p.problem("reconnectDelayMaxMillis", "must not be below the first reconnect delay (" + reconnectDelay
                    + "), got " + reconnectDelayMax);
        }
        DecodeMode decodeMode = p.enumValue("decodeMode", DecodeMode.class);
        boolean loop = p.booleanValue("loop");
        long generation = p.longValue("generation", 1, Long.MAX_VALUE / 4);
        int heartbeat = p.intValue("heartbeatMillis", 10, 10_000);
        List<String> outputProblems = new ArrayList<>();
        List<CaptureOutput> outputs = CaptureOutput.parseAll(new String[] {doc.getProperty(OUTPUTS, "")}, fps,
                outputProblems);
        outputProblems.forEach(m -> p.problem(OUTPUTS, m));
        if (cameraId != null && !outputs.isEmpty()) {
            int longest = outputs.stream().mapToInt(o -> o.name().length()).max().orElse(0);
            if (cameraId.length() + 1 + longest + RingDirectory.SUFFIX.length() > 255) {
                p.problem(OUTPUTS, "camera id and output name make a ring file name over 255 characters");
            }
        }
        for (CaptureOutput o : outputs) {
            if (o.fixedSize()) {
                long bytes = RingWriter.fileBytes(o.format(o.width(), o.height()), slots);
                if (bytes > RingWriter.MAX_FILE_BYTES) {
                    p.problem(OUTPUTS, "output '" + o.name() + "': " + slots + " x " + o.width() + "x" + o.height()
                            + " " + o.pixelFormat() + " frames do not fit in one ring file (2 GiB)");
                }
            }
        }
        if (width > 0 && height > 0 && pixelFormat != null) {
            long fileBytes = RingWriter.fileBytes(new FrameFormat(width, height, pixelFormat), slots);
            if (fileBytes > RingWriter.MAX_FILE_BYTES) {
                p.problem("width", String.format(Locale.ROOT, "%d x %dx%d %s frames make a %.1f GiB ring, over "
                        + "the 2 GiB a ring file can have (reduce width/height or the slots)", slots, width, height,
                        pixelFormat, fileBytes / 1073741824.0));
            }
        }
        p.throwIfAny();
        return new CaptureSettings(cameraId, url, ringPath, width, height, pixelFormat, fps, slots, transport,
                connectTimeout, readTimeout, reconnectDelay, reconnectDelayMax, decodeMode, loop, generation,
                heartbeat, List.copyOf(outputs));
    }

    /**
     * The read timeout in force: the configured one, or for 0 the larger of 2 s (5 frame intervals for slower
     * sources; at least 10 s in keyframes mode, where frames come one per key frame interval).
     *
     * @param sourceFps the source's frame rate, 0 when not known yet
     */
    public int effectiveReadTimeoutMillis(double sourceFps) {
        if (readTimeoutMillis > 0) {
            return readTimeoutMillis;
        }
        int floor = decodeMode == DecodeMode.KEYFRAMES ? MIN_KEYFRAME_READ_TIMEOUT_MILLIS : MIN_READ_TIMEOUT_MILLIS;
        if (sourceFps > 0) {
            long fiveFrames = (long) Math.ceil(5000 / sourceFps);
            return (int) Math.min(MAX_TIMEOUT_MILLIS, Math.max(floor, fiveFrames));
        }
        return floor;
    }

    /**
     * The output geometry for a source of {@code sourceWidth} x {@code sourceHeight}: the configured size, or the
     * source's, or with one side configured the other from the source's aspect ratio (rounded to an even number,
     * which the 4:2:0 formats and most consumers prefer).
     */
    public FrameFormat outputFormat(int sourceWidth, int sourceHeight) {
        return CaptureOutput.sized(width, height, pixelFormat, sourceWidth, sourceHeight);
    }

    /** Whether the output size is fixed by the settings (otherwise it follows the source). */
    public boolean fixedSize() {
        return width > 0 && height > 0;
    }

    /** The settings as a log line: no password (the URL is masked), no noise. */
    public String describe() {
        return String.format(Locale.ROOT, "url=%s ring=%s size=%s format=%s fps=%s slots=%d transport=%s "
                        + "connectTimeout=%dms readTimeout=%s reconnect=%d..%dms decode=%s loop=%s%s",
                SecretMasker.maskUrls(url), ringPath, fixedSize() ? width + "x" + height
                        : (width == 0 && height == 0 ? "source" : width + "x" + height + " (aspect)"),
                pixelFormat, fps == 0 ? "all" : fps, slots, rtspTransport.name().toLowerCase(Locale.ROOT),
                connectTimeoutMillis, readTimeoutMillis == 0 ? "auto" : readTimeoutMillis + "ms",
                reconnectDelayMillis, reconnectDelayMaxMillis, decodeMode.name().toLowerCase(Locale.ROOT), loop,
                outputs.isEmpty() ? "" : " outputs=[" + CaptureOutput.join(outputs) + "]");
    }

    /**
     * Every output of the camera: the default one ({@value CaptureOutput#DEFAULT_NAME}, from width, height,
     * pixelFormat and fps, stretched) first, then the extra ones.
     */
    public List<CaptureOutput> allOutputs() {
        List<CaptureOutput> all = new ArrayList<>();
        all.add(new CaptureOutput(CaptureOutput.DEFAULT_NAME, width, height, pixelFormat, fps,
                CaptureOutput.ScaleMode.STRETCH));
        all.addAll(outputs);
        return all;
    }

    /** The ring file of output {@code output} (the default output's is {@link #ringPath()}). */
    public Path ringPath(String output) {
        return CaptureOutput.ringPath(ringPath, output);
    }

    /**
     * The ring file this camera needs for a source of its fixed size, or -1 while the size comes from the source.
     */
    public long ringFileBytes() {
        return fixedSize() ? RingWriter.fileBytes(new FrameFormat(width, height, pixelFormat), slots) : -1;
    }

    /** The ring files of the extra outputs of a fixed size (those that follow the source are not known yet). */
    public long outputRingFileBytes() {
        long total = 0;
        for (CaptureOutput o : outputs) {
            if (o.fixedSize()) {
                total += RingWriter.fileBytes(o.format(o.width(), o.height()), slots);
            }
        }
        return total;
    }

    /** The same settings for another ring generation (each spawn of a capture process asks for a newer one). */
    public CaptureSettings withGeneration(long newGeneration) {
        return new CaptureSettings(cameraId, url, ringPath, width, height, pixelFormat, fps, slots, rtspTransport,
                connectTimeoutMillis, readTimeoutMillis, reconnectDelayMillis, reconnectDelayMaxMillis, decodeMode,
                loop, newGeneration, heartbeatMillis, outputs);
    }

    /**
     * The settings document for the capture process's stdin: every key in {@link #KEYS} order, then the empty line
     * that ends it. {@link #parse} of {@link SettingsReader#read} of it gives these settings back.
     */
    public String document() {
        Properties p = new Properties();
        p.setProperty(CAMERA_ID, cameraId);
        p.setProperty(URL, url);
        p.setProperty(RING_PATH, ringPath.toString());
        p.setProperty(WIDTH, Integer.toString(width));
        p.setProperty(HEIGHT, Integer.toString(height));
        p.setProperty(PIXEL_FORMAT, pixelFormat.name());
        p.setProperty(FPS, CaptureOutput.number(fps));
        p.setProperty(SLOTS, Integer.toString(slots));
        p.setProperty(RTSP_TRANSPORT, rtspTransport.name().toLowerCase(Locale.ROOT));
        p.setProperty(CONNECT_TIMEOUT_MILLIS, Integer.toString(connectTimeoutMillis));
        p.setProperty(READ_TIMEOUT_MILLIS, Integer.toString(readTimeoutMillis));
        p.setProperty(RECONNECT_DELAY_MILLIS, Integer.toString(reconnectDelayMillis));
        p.setProperty(RECONNECT_DELAY_MAX_MILLIS, Integer.toString(reconnectDelayMaxMillis));
        p.setProperty(DECODE_MODE, decodeMode.name().toLowerCase(Locale.ROOT));
        p.setProperty(LOOP, Boolean.toString(loop));
        p.setProperty(GENERATION, Long.toString(generation));
        p.setProperty(HEARTBEAT_MILLIS, Integer.toString(heartbeatMillis));
        p.setProperty(OUTPUTS, CaptureOutput.join(outputs));
        StringWriter out = new StringWriter();
        try {
            p.store(out, null);
        } catch (java.io.IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        StringBuilder doc = new StringBuilder();
        // Properties.store starts with a date comment; the document ends at the first empty line
        out.toString().lines().filter(l -> !l.startsWith("#")).forEach(l -> doc.append(l).append('\n'));
        return doc.append('\n').toString();
    }

    @Override
    public String toString() {
        return "CaptureSettings[" + cameraId + " " + SecretMasker.maskUrls(url) + "]"; // never the password
    }


    /** Reads typed values and collects problems instead of stopping at the first. */
    private static final class Parser {
        private final Properties doc;
        private final List<InvalidSettingsException.Problem> problems = new ArrayList<>();

        Parser(Properties doc) {
            this.doc = doc;
        }

        void problem(String key, String message) {
            problems.add(new InvalidSettingsException.Problem(key, message));
        }

        void throwIfAny() throws InvalidSettingsException {
            if (!problems.isEmpty()) {
                throw new InvalidSettingsException(problems);
            }
        }

        String required(String key) {
            String v = doc.getProperty(key);
            if (v == null || v.isBlank()) {
                problem(key, "required");
                return null;
            }
            return v.strip();
        }

        private String raw(String key) {
            String v = doc.getProperty(key);
            return v == null || v.isBlank() ? KEYS.get(key) : v.strip();
        }

        int intValue(String key, int min, int max) {
            return (int) longValue(key, min, max);
        }

        long longValue(String key, long min, long max) {
            String v = raw(key);
            try {
                long n = Long.parseLong(v);
                if (n < min || n > max) {
                    problem(key, "must be " + min + ".." + max + ", got " + n);
                    return Long.parseLong(KEYS.get(key));
                }
                return n;
            } catch (NumberFormatException e) {
                problem(key, "must be a whole number, got '" + v + "'");
                return Long.parseLong(KEYS.get(key));
            }
        }

        double doubleValue(String key, double min, double max) {
            String v = raw(key);
            try {
                double d = Double.parseDouble(v);
                if (!(d >= min && d <= max)) {
                    problem(key, "must be a number " + min + ".." + max + ", got " + v);
                    return Double.parseDouble(KEYS.get(key));
                }
                return d;
            } catch (NumberFormatException e) {
                problem(key, "must be a number, got '" + v + "'");
                return Double.parseDouble(KEYS.get(key));
            }
        }

        boolean booleanValue(String key) {
            String v = raw(key).toLowerCase(Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
                problem(key, "must be true or false, got '" + raw(key) + "'");
                return Boolean.parseBoolean(KEYS.get(key));
            }
            return Boolean.parseBoolean(v);
        }

        <E extends Enum<E>> E enumValue(String key, Class<E> type) {
            String v = raw(key);
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(v)) {
                    return e;
                }
            }
            List<String> names = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                names.add(type == PixelFormat.class ? e.name() : e.name().toLowerCase(Locale.ROOT));
            }
            problem(key, "must be one of " + String.join(", ", names) + ", got '" + v + "'");
            return Enum.valueOf(type, KEYS.get(key).toUpperCase(Locale.ROOT));
        }
    }
}
