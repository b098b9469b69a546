package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.shm.RingError;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.junit.jupiter.api.Test;

class ErrorClassifierTest {

    private static String javacv(int code, String url) {
        return "avformat_open_input() error " + code + ": Could not open input \"" + url
                + "\". (Has setFormat() been called?) (For more details, make sure FFmpegLogCallback.set() has been "
                + "called.)";
    }

    private static ErrorClassifier.Classified open(int code, String... log) {
        return ErrorClassifier.classifyOpen(javacv(code, "rtsp://u:secret@cam/x"), List.of(log), 5, 2000);
    }

    @Test
    void errorTagsMatchFfmpegsOwn() {
        assertThat(ErrorClassifier.HTTP_UNAUTHORIZED).isEqualTo(avutil.AVERROR_HTTP_UNAUTHORIZED);
        assertThat(ErrorClassifier.HTTP_FORBIDDEN).isEqualTo(avutil.AVERROR_HTTP_FORBIDDEN);
        assertThat(ErrorClassifier.HTTP_NOT_FOUND).isEqualTo(avutil.AVERROR_HTTP_NOT_FOUND);
        assertThat(ErrorClassifier.HTTP_BAD_REQUEST).isEqualTo(avutil.AVERROR_HTTP_BAD_REQUEST);
        assertThat(ErrorClassifier.HTTP_OTHER_4XX).isEqualTo(avutil.AVERROR_HTTP_OTHER_4XX);
        assertThat(ErrorClassifier.HTTP_SERVER_ERROR).isEqualTo(avutil.AVERROR_HTTP_SERVER_ERROR);
        assertThat(ErrorClassifier.INVALIDDATA).isEqualTo(avutil.AVERROR_INVALIDDATA());
        assertThat(ErrorClassifier.PROTOCOL_NOT_FOUND).isEqualTo(avutil.AVERROR_PROTOCOL_NOT_FOUND());
        assertThat(ErrorClassifier.DECODER_NOT_FOUND).isEqualTo(avutil.AVERROR_DECODER_NOT_FOUND());
        assertThat(ErrorClassifier.STREAM_NOT_FOUND).isEqualTo(avutil.AVERROR_STREAM_NOT_FOUND());
        assertThat(ErrorClassifier.EOF).isEqualTo(avutil.AVERROR_EOF());
    }

    @Test
    void httpAndRtspStatusCodes() {
        // the values FFmpeg returned in this project's measurements against GStreamer's RTSP server
        assertThat(open(-825242872, "[rtsp] method DESCRIBE failed: 401Unauthorized").error()).isEqualTo(RingError.AUTH);
        assertThat(open(-875574520, "[rtsp] method DESCRIBE failed: 404Not Found").error())
                .isEqualTo(RingError.NOT_FOUND);
        assertThat(open(ErrorClassifier.HTTP_FORBIDDEN).error()).isEqualTo(RingError.AUTH);
        assertThat(open(ErrorClassifier.HTTP_SERVER_ERROR).error()).isEqualTo(RingError.STREAM);
        assertThat(open(ErrorClassifier.HTTP_BAD_REQUEST).error()).isEqualTo(RingError.UNSUPPORTED);
    }

    @Test
    void networkErrors() {
        assertThat(open(-111).error()).isEqualTo(RingError.CONNECT);
        assertThat(open(-111).description()).contains("connection refused");
        assertThat(open(-113).error()).isEqualTo(RingError.CONNECT);
        assertThat(open(-104).error()).isEqualTo(RingError.CONNECT);
        assertThat(open(-110).error()).isEqualTo(RingError.TIMEOUT);
        assertThat(open(-5, "[tcp] Failed to resolve hostname nocam: Name or service not known").error())
                .isEqualTo(RingError.CONNECT);
        assertThat(open(-5).error()).isEqualTo(RingError.STREAM);
    }

    @Test
    void notAVideoAndUnsupported() {
        assertThat(open(ErrorClassifier.INVALIDDATA).error()).isEqualTo(RingError.UNSUPPORTED);
        assertThat(open(ErrorClassifier.PROTOCOL_NOT_FOUND).error()).isEqualTo(RingError.UNSUPPORTED);
        assertThat(open(ErrorClassifier.DECODER_NOT_FOUND).error()).isEqualTo(RingError.UNSUPPORTED);
        assertThat(open(-2).error()).isEqualTo(RingError.NOT_FOUND);
        assertThat(open(-13).error()).isEqualTo(RingError.AUTH);
    }

    @Test
    void aSilentPeerIsATimeoutNotInvalidData() {
        ErrorClassifier.Classified c = ErrorClassifier.classifyOpen(javacv(ErrorClassifier.INVALIDDATA, "rtsp://c/x"),
                List.of(), 2100, 2000);
        assertThat(c.error()).isEqualTo(RingError.TIMEOUT);
        assertThat(c.description()).contains("no answer within 2000 ms");
        // a real status answer stays what it is, however long it took
        assertThat(ErrorClassifier.classifyOpen(javacv(-825242872, "rtsp://c/x"), List.of(), 4000, 2000).error())
                .isEqualTo(RingError.AUTH);
    }

    @Test
    void messagesWithoutCodesFallBackToWords() {
        assertThat(ErrorClassifier.classifyOpen("Did not find a video or audio stream inside \"x\"", List.of(), 1, 0)
                .error()).isEqualTo(RingError.UNSUPPORTED);
        assertThat(ErrorClassifier.classifyOpen("something odd", List.of("[http] HTTP error 403 Forbidden"), 1, 0)
                .error()).isEqualTo(RingError.AUTH);
        assertThat(ErrorClassifier.classifyOpen("something odd", List.of(), 1, 0).error()).isEqualTo(RingError.STREAM);
        assertThat(ErrorClassifier.classifyOpen("odd", List.of("[in] Protocol not found"), 1, 0).error())
                .isEqualTo(RingError.UNSUPPORTED);
        assertThat(ErrorClassifier.classifyOpen("odd", List.of("[http] HTTP error 404 Not Found"), 1, 0).error())
                .isEqualTo(RingError.NOT_FOUND);
    }

    @Test
    void descriptionsDropJavacvHintsAndTheUrl() {
        ErrorClassifier.Classified c = ErrorClassifier.classifyOpen("weird: Could not open input \"rtsp://u:secret@c/x\"."
                + " (Has setFormat() been called?)", List.of(), 1, 0);
        assertThat(c.description()).doesNotContain("secret").doesNotContain("setFormat").contains("could not open input");
        assertThat(open(-111, "[tcp] Connection to tcp://cam:554 failed: Connection refused").description())
                .endsWith("[ffmpeg: [tcp] Connection to tcp://cam:554 failed: Connection refused]");
    }

    @Test
    void readFailures() {
        assertThat(ErrorClassifier.classifyRead(null, List.of(), 2100, 2000).error()).isEqualTo(RingError.TIMEOUT);
        assertThat(ErrorClassifier.classifyRead(null, List.of(), 10, 2000).error()).isEqualTo(RingError.STREAM);
        assertThat(ErrorClassifier.classifyRead(null, List.of(), 10, 2000).description()).isEqualTo("stream ended");
        assertThat(ErrorClassifier.classifyRead(null, List.of("[rtsp] Operation timed out"), 10, 2000).error())
                .isEqualTo(RingError.TIMEOUT);
        assertThat(ErrorClassifier.classifyRead(null, List.of("[h264] Invalid data found"), 10, 2000).error())
                .as("a stream that delivered is broken, not unsupported").isEqualTo(RingError.STREAM);
    }
}
