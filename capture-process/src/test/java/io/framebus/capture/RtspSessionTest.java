package io.framebus.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class RtspSessionTest {
    private static final String GSTREAMER_SDP = String.join("\r\n",
            "v=0",
            "o=- 1188340656180883 1 IN IP4 127.0.0.1",
            "s=Session streamed with GStreamer",
            "t=0 0",
            "a=tool:GStreamer",
            "a=type:broadcast",
            "a=control:*",
            "a=range:npt=now-",
            "m=video 0 RTP/AVP 96",
            "c=IN IP4 127.0.0.1",
            "a=rtpmap:96 H264/90000",
            "a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAHtkA,aM4PyA==;profile-level-id=42c01e",
            "a=control:stream=0",
            "a=ts-refclk:local",
            "");

    @Test
    void findsTheVideoTrackItsParameterSetsAndControlUrl() throws Exception {
        RtspSession.Track t = RtspSession.Sdp.videoTrack(GSTREAMER_SDP, "rtsp://127.0.0.1:8554/test/");
        assertThat(t.codec()).isEqualTo("H264");
        assertThat(t.payloadType()).isEqualTo(96);
        assertThat(t.clockRate()).isEqualTo(90000);
        assertThat(t.controlUrl()).isEqualTo("rtsp://127.0.0.1:8554/test/stream=0");
        byte[] sps = Base64.getDecoder().decode("Z0LAHtkA");
        byte[] pps = Base64.getDecoder().decode("aM4PyA==");
        byte[] expected = new byte[8 + sps.length + pps.length];
        System.arraycopy(RtpDepacketizer.START_CODE, 0, expected, 0, 4);
        System.arraycopy(sps, 0, expected, 4, sps.length);
        System.arraycopy(RtpDepacketizer.START_CODE, 0, expected, 4 + sps.length, 4);
        System.arraycopy(pps, 0, expected, 8 + sps.length, pps.length);
        assertThat(t.parameterSets()).isEqualTo(expected);
        assertThat(RtspSession.Sdp.sessionControl(GSTREAMER_SDP, "rtsp://127.0.0.1:8554/test/"))
                .isEqualTo("rtsp://127.0.0.1:8554/test/");
    }

    @Test
    void controlUrlsResolveAgainstTheBase() {
        assertThat(RtspSession.Sdp.resolve("rtsp://h/a", "track1")).isEqualTo("rtsp://h/a/track1");
        assertThat(RtspSession.Sdp.resolve("rtsp://h/a/", "track1")).isEqualTo("rtsp://h/a/track1");
        assertThat(RtspSession.Sdp.resolve("rtsp://h/a", "rtsp://other/x")).isEqualTo("rtsp://other/x");
        assertThat(RtspSession.Sdp.resolve("rtsp://h/a", "*")).isEqualTo("rtsp://h/a");
    }

    @Test
    void otherCodecsGoToFfmpeg() {
        String mjpeg = GSTREAMER_SDP.replace("m=video 0 RTP/AVP 96", "m=video 0 RTP/AVP 26")
                .replace("a=rtpmap:96 H264/90000", "a=rtpmap:26 JPEG/90000");
        assertThatThrownBy(() -> RtspSession.Sdp.videoTrack(mjpeg, "rtsp://h/"))
                .isInstanceOf(RtspSession.Unsupported.class).hasMessageContaining("JPEG");
        String audioOnly = "v=0\r\nm=audio 0 RTP/AVP 0\r\n";
        assertThatThrownBy(() -> RtspSession.Sdp.videoTrack(audioOnly, "rtsp://h/"))
                .isInstanceOf(RtspSession.Unsupported.class).hasMessageContaining("no video");
    }

    @Test
    void h265ParameterSetsInOrder() {
        byte[] sets = RtspSession.Sdp.parameterSets("H265", "sprop-vps=QAE=; sprop-sps=QgE=; sprop-pps=RAE=");
        assertThat(sets).containsExactly(0, 0, 0, 1, 0x40, 1, 0, 0, 0, 1, 0x42, 1, 0, 0, 0, 1, 0x44, 1);
    }

    @Test
    void userInfoIsPercentDecodedWithoutTurningPlusIntoSpace() {
        assertThat(RtspSession.percentDecode("p%40ss%3Aw%2Frd+x")).isEqualTo("p@ss:w/rd+x");
        assertThat(RtspSession.percentDecode("100%")).isEqualTo("100%");
    }
}
