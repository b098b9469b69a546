package io.framebus.capture;

import io.framebus.contract.CaptureSettings;
import io.framebus.contract.SecretMasker;
import io.framebus.contract.SourceUrl;
import io.framebus.contract.TestPattern;
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
        String display = SecretMasker.maskUrls(url);
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> video = new LinkedHashMap<>();
        boolean keyframes = s.decodeMode() == CaptureSettings.DecodeMode.KEYFRAMES;
        if (keyframes) {
            video.put("skip_frame", "nokey");
        }
        String micros = Long.toString(socketTimeoutMillis * 1000L);
        String scheme = SourceUrl.scheme(url);
        if (SourceUrl.isTestSource(url)) {
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
}
