package io.framebus.capture;

import io.framebus.shm.RingError;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What to hand FFmpeg for one camera URL: the input name, the demuxer, and the options, chosen per kind of source.
 * Pure data, computed without FFmpeg, so the choices can be tested and read in one place.
 *
 * <p>Why each option (FFmpeg's defaults are made for files and players, not for live capture):
 * <ul>
 *   <li>{@code probesize=32768}, {@code analyzeduration=500000}: FFmpeg probes about 5 s of a stream at open and
 *       then hands that backlog out late; a few packets are enough to learn the codec. (An analyzeduration of 0
 *       would mean FFmpeg's default of 5 s, not "none".)</li>
 *   <li>RTSP opens without {@code avformat_find_stream_info} at all: the SDP already names the codec and usually
 *       carries SPS/PPS, and probing would swallow the first key frame, so the first picture would come one key
 *       frame interval later (measured: 172 ms to the first frame without probing, 1.2 s with it).</li>
 *   <li>{@code fflags=nobuffer}: no demuxer-side buffering of packets read ahead.</li>
 *   <li>{@code max_delay} and {@code reorder_queue_size=0} over TCP: interleaved RTP arrives in order, so
 *       waiting to reorder only adds latency; over UDP a short (100 ms) reorder window is kept.</li>
 *   <li>{@code timeout} (microseconds): RTSP and HTTP sockets give up when a connect or a read sees nothing for
 *       that long, so {@code grab()} returns instead of hanging on a dead camera. FFmpeg's RTSP client has a
 *       single socket timeout for connecting and reading; it gets the smaller of the two configured timeouts
 *       so that both bounds hold. HTTP also gets {@code rw_timeout}.</li>
 *   <li>{@code allowed_media_types=video} on RTSP: no audio session is set up, nothing to read and drop.</li>
 *   <li>Decoder {@code flags=low_delay}: disables frame threading, which holds back one frame per decoder thread
 *       (slice threads still work). Files keep frame threading: they are paced, not live.</li>
 *   <li>Decoder {@code skip_frame=nokey} in keyframes mode: the decoder discards everything but key frames
 *       (JavaCV's key-frame grab already skips non-key packets without decoding them).</li>
 * </ul>
 *
 * @param kind           the kind of source
 * @param input          what FFmpeg opens (file path, URL, or lavfi graph)
 * @param format         the demuxer to force, or null to let FFmpeg probe
 * @param options        format/protocol options
 * @param videoOptions   decoder options
 * @param findStreamInfo whether to probe the stream after opening it
 * @param paced          whether the capture loop must play frames at their timestamps (files, test patterns),
 *                       because FFmpeg would deliver them as fast as it can decode
 * @param display        the source for logs and error texts, password masked
 */
record SourceSpec(Kind kind, String input, String format, Map<String, String> options, Map<String, String> videoOptions,
                  boolean findStreamInfo, boolean paced, String display) {

    /** Kinds of sources, by URL scheme. */
    enum Kind { RTSP, HTTP, FILE, TESTSRC }

    static final String TEST_SCHEME = "testsrc:";

    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):.*", Pattern.DOTALL);
    static final int PROBE_BYTES = 32768;
    static final int ANALYZE_MICROS = 500_000;
    static final int UDP_REORDER_MICROS = 100_000;

    SourceSpec {
        options = Map.copyOf(options);
        videoOptions = Map.copyOf(videoOptions);
    }

    /**
     * The spec for the settings' URL.
     *
     * @param socketTimeoutMillis FFmpeg's socket timeout for network sources
     * @throws SourceException UNSUPPORTED for a scheme framebus does not capture from
     */
    static SourceSpec of(CaptureSettings s, int socketTimeoutMillis) throws SourceException {
        String url = s.url();
        String display = UrlMasker.display(url);
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> video = new LinkedHashMap<>();
        boolean keyframes = s.decodeMode() == CaptureSettings.DecodeMode.KEYFRAMES;
        if (keyframes) {
            video.put("skip_frame", "nokey");
        }
        String micros = Long.toString(socketTimeoutMillis * 1000L);
        String scheme = scheme(url);
        if (isTestSource(url)) {
            TestPattern pattern = TestPattern.parse(url);
            return new SourceSpec(Kind.TESTSRC, pattern.lavfiGraph(), "lavfi", options, video, true, true, display);
        }
        if (scheme == null || scheme.equals("file")) {
            String path = scheme == null ? url : filePath(url);
            return new SourceSpec(Kind.FILE, path, null, options, video, true, true, display);
        }
        switch (scheme) {
            case "rtsp", "rtsps" -> {
                boolean udp = s.rtspTransport() == CaptureSettings.RtspTransport.UDP;
                options.put("rtsp_transport", udp ? "udp" : "tcp");
                options.put("timeout", micros);
                options.put("allowed_media_types", "video");
                options.put("fflags", "nobuffer");
                options.put("probesize", Integer.toString(PROBE_BYTES));
                options.put("analyzeduration", Integer.toString(ANALYZE_MICROS));
                if (udp) {
                    options.put("max_delay", Integer.toString(UDP_REORDER_MICROS));
                } else {
                    options.put("max_delay", "0");
                    options.put("reorder_queue_size", "0");
                }
                video.put("flags", "low_delay");
                return new SourceSpec(Kind.RTSP, url, "rtsp", options, video, false, false, display);
            }
            case "http", "https" -> {
                options.put("timeout", micros);
                options.put("rw_timeout", micros);
                options.put("fflags", "nobuffer");
                options.put("probesize", Integer.toString(PROBE_BYTES));
                options.put("analyzeduration", Integer.toString(ANALYZE_MICROS));
                video.put("flags", "low_delay");
                return new SourceSpec(Kind.HTTP, url, null, options, video, true, false, display);
            }
            default -> throw new SourceException(RingError.UNSUPPORTED, "unsupported URL scheme '" + scheme
                    + ":' (rtsp, rtsps, http, https, file, testsrc or a file path)");
        }
    }

    /** Whether the source is live: timestamps and timeouts come from the network, not from a local clock. */
    boolean live() {
        return kind == Kind.RTSP || kind == Kind.HTTP;
    }

    /** Whether end of stream is normal and the source can be played again (files and test patterns). */
    boolean replayable() {
        return kind == Kind.FILE || kind == Kind.TESTSRC;
    }

    static boolean isTestSource(String url) {
        return url.regionMatches(true, 0, TEST_SCHEME, 0, TEST_SCHEME.length());
    }

    private static String scheme(String url) {
        Matcher m = SCHEME.matcher(url);
        if (!m.matches()) {
            return null;
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        // "C:..." is not a scheme, and a relative path such as "clips/a:b.mp4" has a '/' before the colon
        return scheme.length() < 2 ? null : scheme;
    }

    private static String filePath(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getPath() != null && !uri.getPath().isEmpty()) {
                return uri.getPath();
            }
        } catch (URISyntaxException notAUri) {
            // e.g. "file:/videos/a b.mp4" with a raw space; take the text after the scheme
        }
        String rest = url.substring("file:".length());
        return rest.startsWith("//") ? rest.substring(2) : rest;
    }

    /**
     * A {@code testsrc:} URL: FFmpeg's lavfi test sources, for demos and tests.
     * {@code testsrc:size=640x480:rate=25:pattern=testsrc2:color=red}, every parameter optional:
     * <ul>
     *   <li>{@code size}: WxH, default 640x480;</li>
     *   <li>{@code rate}: frames per second, a number or a fraction such as 30000/1001, default 25;</li>
     *   <li>{@code pattern}: testsrc2 (default), testsrc, smptebars, smptehdbars, rgbtestsrc, yuvtestsrc, color;</li>
     *   <li>{@code color}: for pattern=color, a name (red, white, ...) or 0xRRGGBB, default black.</li>
     * </ul>
     */
    record TestPattern(int width, int height, String rate, String pattern, String color) {
        static final Set<String> PATTERNS = Set.of("testsrc2", "testsrc", "smptebars", "smptehdbars", "rgbtestsrc",
                "yuvtestsrc", "color");
        private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");
        private static final Pattern RATE = Pattern.compile("\\d{1,4}(\\.\\d{1,6})?|\\d{1,7}/\\d{1,7}");
        private static final Pattern COLOR = Pattern.compile("[A-Za-z]{1,32}|0x[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{6}");

        /** @throws IllegalArgumentException naming the bad parameter */
        static TestPattern parse(String url) {
            String rest = url.substring(TEST_SCHEME.length());
            if (rest.startsWith("//")) {
                rest = rest.substring(2);
            }
            int width = 640;
            int height = 480;
            String rate = "25";
            String pattern = "testsrc2";
            String color = "black";
            if (!rest.isEmpty()) {
                for (String param : rest.split(":")) {
                    int eq = param.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("testsrc parameter '" + param + "' must be name=value "
                                + "(size=WxH, rate=R, pattern=P, color=C, separated by ':')");
                    }
                    String name = param.substring(0, eq);
                    String value = param.substring(eq + 1);
                    switch (name) {
                        case "size" -> {
                            Matcher m = SIZE.matcher(value);
                            if (!m.matches()) {
                                throw new IllegalArgumentException("testsrc size must be WxH, got '" + value + "'");
                            }
                            width = Integer.parseInt(m.group(1));
                            height = Integer.parseInt(m.group(2));
                            if (width < 2 || height < 2 || width > CaptureSettings.MAX_DIMENSION
                                    || height > CaptureSettings.MAX_DIMENSION) {
                                throw new IllegalArgumentException("testsrc size must be 2x2.."
                                        + CaptureSettings.MAX_DIMENSION + "x" + CaptureSettings.MAX_DIMENSION
                                        + ", got '" + value + "'");
                            }
                        }
                        case "rate" -> {
                            if (!RATE.matcher(value).matches() || rateValue(value) <= 0
                                    || rateValue(value) > CaptureSettings.MAX_FPS) {
                                throw new IllegalArgumentException("testsrc rate must be a positive number or "
                                        + "fraction up to " + (int) CaptureSettings.MAX_FPS + ", got '" + value + "'");
                            }
                            rate = value;
                        }
                        case "pattern" -> {
                            if (!PATTERNS.contains(value)) {
                                throw new IllegalArgumentException("testsrc pattern must be one of "
                                        + String.join(", ", new java.util.TreeSet<>(PATTERNS)) + ", got '" + value + "'");
                            }
                            pattern = value;
                        }
                        case "color" -> {
                            if (!COLOR.matcher(value).matches()) {
                                throw new IllegalArgumentException("testsrc color must be a name or 0xRRGGBB, got '"
                                        + value + "'");
                            }
                            color = value.startsWith("#") ? "0x" + value.substring(1) : value;
                        }
                        default -> throw new IllegalArgumentException("unknown testsrc parameter '" + name
                                + "' (size, rate, pattern, color)");
                    }
                }
            }
            return new TestPattern(width, height, rate, pattern, color);
        }

        /** The lavfi graph FFmpeg opens. */
        String lavfiGraph() {
            String g = pattern + "=size=" + width + "x" + height + ":rate=" + rate;
            return pattern.equals("color") ? g + ":color=" + color : g;
        }

        private static double rateValue(String rate) {
            int slash = rate.indexOf('/');
            if (slash < 0) {
                return Double.parseDouble(rate);
            }
            double den = Double.parseDouble(rate.substring(slash + 1));
            return den == 0 ? -1 : Double.parseDouble(rate.substring(0, slash)) / den;
        }
    }
}
