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

    /** A peer that answers every request with {@code answer} (CSeq echoed), on a free 127.0.0.1 port. */
    private static java.net.ServerSocket peer(String answer) throws java.io.IOException {
        java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (java.net.Socket s = server.accept()) {
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        s.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
                String line;
                String cseq = "1";
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("CSeq:")) {
                        cseq = line.substring(5).trim();
                    } else if (line.isEmpty()) {
                        s.getOutputStream().write(answer.replace("{cseq}", cseq)
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            } catch (java.io.IOException ignored) {
                // the client went away
            }
        }, "fake-rtsp-peer");
        t.setDaemon(true);
        t.start();
        return server;
    }

    @Test
    void aRedirectGoesToFfmpegsClientAndStatusCodesAreClassified() throws Exception {
        try (java.net.ServerSocket s = peer("RTSP/1.0 302 Moved Temporarily\r\nCSeq: {cseq}\r\n"
                + "Location: rtsp://127.0.0.1:1/elsewhere\r\n\r\n")) {
            assertThatThrownBy(() -> RtspSession.open("rtsp://127.0.0.1:" + s.getLocalPort() + "/cam", 2000))
                    .isInstanceOf(RtspSession.Unsupported.class).hasMessageContaining("302");
        }
        try (java.net.ServerSocket s = peer("RTSP/1.0 404 Not Found\r\nCSeq: {cseq}\r\n\r\n")) {
            assertThatThrownBy(() -> RtspSession.open("rtsp://127.0.0.1:" + s.getLocalPort() + "/cam", 2000))
                    .isInstanceOfSatisfying(SourceException.class,
                            e -> assertThat(e.error()).isEqualTo(io.framebus.shm.RingError.NOT_FOUND));
        }
        try (java.net.ServerSocket s = peer("RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\n"
                + "WWW-Authenticate: Digest realm=\"cam\", nonce=\"abc\"\r\n\r\n")) {
            assertThatThrownBy(() -> RtspSession.open("rtsp://viewer:secret@127.0.0.1:" + s.getLocalPort() + "/cam",
                    2000)).isInstanceOfSatisfying(SourceException.class, e -> {
                        assertThat(e.error()).isEqualTo(io.framebus.shm.RingError.AUTH);
                        assertThat(e.getMessage()).doesNotContain("secret");
                    });
        }
    }

    @Test
    void userInfoIsPercentDecodedWithoutTurningPlusIntoSpace() {
        assertThat(RtspSession.percentDecode("p%40ss%3Aw%2Frd+x")).isEqualTo("p@ss:w/rd+x");
        assertThat(RtspSession.percentDecode("100%")).isEqualTo("100%");
    }
}
