package io.framebus.capture;

import io.framebus.shm.RingError;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what FFmpeg and JavaCV report about a failure into a {@link RingError} class and a short description.
 *
 * <p>JavaCV reports a failed open as an exception whose message carries FFmpeg's return code ("avformat_open_input()
 * error -111: Could not open input ..."); the code is the reliable part. RTSP and HTTP status codes arrive as
 * FFmpeg's {@code AVERROR_HTTP_*} tags (an RTSP 401 is {@code AVERROR_HTTP_UNAUTHORIZED}). Read failures come back
 * from {@code grab()} as a plain null, so for those the FFmpeg log lines of the attempt are the only detail; they
 * are matched by words as a fallback. The codes are computed here rather than read from the natives, so this
 * class works, and is tested, without FFmpeg loaded.
 */
final class ErrorClassifier {
    // errno values (Linux) as FFmpeg returns them: AVERROR(e) = -e
    static final int ENOENT = -2;
    static final int EIO = -5;
    static final int EACCES = -13;
    static final int EPIPE = -32;
    static final int ENOSYS = -38;
    static final int EPROTONOSUPPORT = -93;
    static final int ENETUNREACH = -101;
    static final int ECONNABORTED = -103;
    static final int ECONNRESET = -104;
    static final int ETIMEDOUT = -110;
    static final int ECONNREFUSED = -111;
    static final int EHOSTUNREACH = -113;

    static final int HTTP_BAD_REQUEST = tag(0xF8, '4', '0', '0');
    static final int HTTP_UNAUTHORIZED = tag(0xF8, '4', '0', '1');
    static final int HTTP_FORBIDDEN = tag(0xF8, '4', '0', '3');
    static final int HTTP_NOT_FOUND = tag(0xF8, '4', '0', '4');
    static final int HTTP_TOO_MANY_REQUESTS = tag(0xF8, '4', '2', '9');
    static final int HTTP_OTHER_4XX = tag(0xF8, '4', 'X', 'X');
    static final int HTTP_SERVER_ERROR = tag(0xF8, '5', 'X', 'X');
    static final int INVALIDDATA = tag('I', 'N', 'D', 'A');
    static final int PROTOCOL_NOT_FOUND = tag(0xF8, 'P', 'R', 'O');
    static final int DEMUXER_NOT_FOUND = tag(0xF8, 'D', 'E', 'M');
    static final int DECODER_NOT_FOUND = tag(0xF8, 'D', 'E', 'C');
    static final int STREAM_NOT_FOUND = tag(0xF8, 'S', 'T', 'R');
    static final int PATCHWELCOME = tag('P', 'A', 'W', 'E');
    static final int EOF = tag('E', 'O', 'F', ' ');
    static final int EXIT = tag('E', 'X', 'I', 'T');

    private static final Pattern RETURN_CODE = Pattern.compile("error (-\\d+)");

    private ErrorClassifier() {
    }

    /** A classified failure: its class and a description for logs and the ring header. */
    record Classified(RingError error, String description) {
    }

    /** FFmpeg's FFERRTAG: a negative four-character code. */
    static int tag(int a, int b, int c, int d) {
        return -(a | (b << 8) | (c << 16) | (d << 24));
    }

    /**
     * Classifies a failed open.
     *
     * @param message       the exception message from JavaCV (may contain the URL: mask before showing it)
     * @param ffmpegErrors  FFmpeg's error log lines of this attempt, oldest first
     * @param elapsedMillis how long the open took
     * @param timeoutMillis the socket timeout FFmpeg had, 0 for sources without one
     */
    static Classified classifyOpen(String message, List<String> ffmpegErrors, long elapsedMillis, long timeoutMillis) {
        String detail = detail(ffmpegErrors);
        Integer code = returnCode(message);
        RingError known = code == null ? null : byCode(code, ffmpegErrors);
        if (timeoutMillis > 0 && elapsedMillis >= timeoutMillis * 9 / 10
                && (known == null || known == RingError.UNSUPPORTED || known == RingError.STREAM)) {
            // A peer that accepts the connection and then says nothing (a frozen or booting camera) makes FFmpeg's
            // RTSP client give up with "invalid data" or a bare I/O error once its socket timeout fires. That is a
            // timeout, to be retried like one, not a permanent "not a video".
            return new Classified(RingError.TIMEOUT, "no answer within " + timeoutMillis + " ms"
                    + (code != null ? " (FFmpeg error " + code + ")" : "") + detail);
        }
        if (code != null) {
            RingError byCode = byCode(code, ffmpegErrors);
            if (byCode != null) {
                return new Classified(byCode, describe(code, byCode) + detail);
            }
        }
        String text = (message == null ? "" : message) + " " + String.join(" ", ffmpegErrors);
        RingError byWords = byWords(text);
        String summary = code != null ? "FFmpeg error " + code : clean(message);
        return new Classified(byWords != null ? byWords : RingError.STREAM, summary + detail);
    }

    /**
     * Classifies a stream that stopped delivering frames ({@code grab()} returned null or threw).
     *
     * @param silentMillis how long nothing arrived before the read gave up
     * @param timeoutMillis the socket timeout FFmpeg had
     */
    static Classified classifyRead(String message, List<String> ffmpegErrors, long silentMillis, long timeoutMillis) {
        String text = (message == null ? "" : message) + " " + String.join(" ", ffmpegErrors);
        RingError byWords = byWords(text);
        String detail = detail(ffmpegErrors);
        if (byWords == RingError.TIMEOUT || (byWords == null && silentMillis >= timeoutMillis * 9 / 10)) {
            return new Classified(RingError.TIMEOUT, "no data for " + silentMillis + " ms (read timeout "
                    + timeoutMillis + " ms)" + detail);
        }
        if (byWords != null && byWords != RingError.UNSUPPORTED) {
            return new Classified(byWords, "stream broke" + (message == null ? "" : ": " + clean(message)) + detail);
        }
        // once a stream has delivered, undecodable data is a broken stream, not an unsupported source
        return new Classified(RingError.STREAM, (message == null ? "stream ended" : "stream broke: " + clean(message))
                + detail);
    }

    static Integer returnCode(String message) {
        if (message == null) {
            return null;
        }
        Matcher m = RETURN_CODE.matcher(message);
        if (!m.find()) {
            return null;
        }
        try {
            return Integer.valueOf(m.group(1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static RingError byCode(int code, List<String> ffmpegErrors) {
        if (code == HTTP_UNAUTHORIZED || code == HTTP_FORBIDDEN || code == EACCES) {
            return RingError.AUTH;
        }
        if (code == HTTP_NOT_FOUND || code == ENOENT) {
            return RingError.NOT_FOUND;
        }
        if (code == ECONNREFUSED || code == EHOSTUNREACH || code == ENETUNREACH || code == ECONNRESET
                || code == ECONNABORTED || code == EPIPE) {
            return RingError.CONNECT;
        }
        if (code == ETIMEDOUT) {
            return RingError.TIMEOUT;
        }
        if (code == INVALIDDATA || code == PROTOCOL_NOT_FOUND || code == DEMUXER_NOT_FOUND
                || code == DECODER_NOT_FOUND || code == STREAM_NOT_FOUND || code == PATCHWELCOME
                || code == ENOSYS || code == EPROTONOSUPPORT || code == HTTP_BAD_REQUEST || code == HTTP_OTHER_4XX) {
            return RingError.UNSUPPORTED;
        }
        if (code == HTTP_SERVER_ERROR || code == HTTP_TOO_MANY_REQUESTS || code == EOF || code == EXIT) {
            return RingError.STREAM;
        }
        if (code == EIO) {
            // FFmpeg's catch-all: a failed name lookup and a dropped connection both end up here
            RingError byWords = byWords(String.join(" ", ffmpegErrors));
            return byWords != null ? byWords : RingError.STREAM;
        }
        return null;
    }

    static RingError byWords(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.contains("401") || t.contains("unauthorized") || t.contains("403") || t.contains("forbidden")
                || t.contains("permission denied")) {
            return RingError.AUTH;
        }
        if (t.contains("protocol not found") || t.contains("demuxer not found") || t.contains("decoder not found")
                || t.contains("codec not found") || t.contains("stream not found")) {
            return RingError.UNSUPPORTED; // FFmpeg's "... not found" about itself, not about the source's path
        }
        if (t.contains("404") || t.contains("not found") || t.contains("no such file")) {
            return RingError.NOT_FOUND;
        }
        if (t.contains("connection refused") || t.contains("failed to resolve") || t.contains("name or service")
                || t.contains("no route to host") || t.contains("network is unreachable")
                || t.contains("connection reset")) {
            return RingError.CONNECT;
        }
        if (t.contains("timed out") || t.contains("timeout")) {
            return RingError.TIMEOUT;
        }
        if (t.contains("invalid data found") || t.contains("unsupported") || t.contains("did not find a video")) {
            return RingError.UNSUPPORTED;
        }
        return null;
    }

    private static String describe(int code, RingError error) {
        if (code == HTTP_UNAUTHORIZED) {
            return "authorization failed (401 Unauthorized): wrong or missing user name or password";
        }
        if (code == HTTP_FORBIDDEN) {
            return "access denied (403 Forbidden)";
        }
        if (code == EACCES) {
            return "permission denied";
        }
        if (code == HTTP_NOT_FOUND) {
            return "not found (404): no stream at this path";
        }
        if (code == ENOENT) {
            return "no such file";
        }
        if (code == ECONNREFUSED) {
            return "connection refused";
        }
        if (code == EHOSTUNREACH) {
            return "no route to host";
        }
        if (code == ENETUNREACH) {
            return "network unreachable";
        }
        if (code == ECONNRESET || code == ECONNABORTED || code == EPIPE) {
            return "connection closed by the source";
        }
        if (code == ETIMEDOUT) {
            return "timed out";
        }
        if (code == INVALIDDATA) {
            return "not a video stream FFmpeg understands (invalid data)";
        }
        if (code == PROTOCOL_NOT_FOUND) {
            return "protocol not supported by this FFmpeg build";
        }
        if (code == DEMUXER_NOT_FOUND || code == DECODER_NOT_FOUND || code == PATCHWELCOME || code == ENOSYS) {
            return "format or codec not supported by this FFmpeg build";
        }
        if (code == STREAM_NOT_FOUND) {
            return "no video stream";
        }
        if (code == EPROTONOSUPPORT) {
            return "transport not supported by the source (try rtspTransport=tcp or udp)";
        }
        if (code == HTTP_BAD_REQUEST || code == HTTP_OTHER_4XX) {
            return "request refused by the source (HTTP/RTSP 4xx)";
        }
        if (code == HTTP_SERVER_ERROR) {
            return "server error at the source (5xx)";
        }
        if (code == HTTP_TOO_MANY_REQUESTS) {
            return "source busy (429 Too Many Requests)";
        }
        if (code == EOF) {
            return "stream ended";
        }
        return error.name().toLowerCase(Locale.ROOT) + " (FFmpeg error " + code + ")";
    }

    /** JavaCV's messages carry hints for developers and the URL; the description has neither. */
    static String clean(String message) {
        if (message == null) {
            return "";
        }
        return message.replace(" (For more details, make sure FFmpegLogCallback.set() has been called.)", "")
                .replace(" (Has setFormat() been called?)", "")
                .replaceAll("Could not open input \"[^\"]*\"\\.?", "could not open input")
                .strip();
    }

    private static String detail(List<String> ffmpegErrors) {
        if (ffmpegErrors.isEmpty()) {
            return "";
        }
        // the last line is usually the most specific ("method DESCRIBE failed: 401 Unauthorized")
        return " [ffmpeg: " + ffmpegErrors.get(ffmpegErrors.size() - 1) + "]";
    }
}
