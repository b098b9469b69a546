package io.framebus.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretMaskerTest {

    @Test
    void masksThePasswordOfAnyUrlInAText() {
        assertThat(SecretMasker.maskUrls("open rtsp://admin:hunter2@10.0.0.5:554/Streaming/101 failed"))
                .isEqualTo("open rtsp://admin:***@10.0.0.5:554/Streaming/101 failed");
        assertThat(SecretMasker.maskUrls("a http://u:p1@h/x and rtsps://v:p2@k/y"))
                .isEqualTo("a http://u:***@h/x and rtsps://v:***@k/y");
    }

    @Test
    void leavesUrlsWithoutPasswordsAlone() {
        assertThat(SecretMasker.maskUrls("rtsp://10.0.0.5/stream")).isEqualTo("rtsp://10.0.0.5/stream");
        assertThat(SecretMasker.maskUrls("rtsp://viewer@10.0.0.5/stream")).isEqualTo("rtsp://viewer@10.0.0.5/stream");
        assertThat(SecretMasker.maskUrls("no url here: 401 Unauthorized")).isEqualTo("no url here: 401 Unauthorized");
        assertThat(SecretMasker.maskUrls("tcp://127.0.0.1:8554?timeout=2000000"))
                .isEqualTo("tcp://127.0.0.1:8554?timeout=2000000");
    }

    @Test
    void masksPasswordsWithRawAtSignsAndSlashes() {
        assertThat(SecretMasker.maskUrls("rtsp://u:p@ss/w@cam/x")).isEqualTo("rtsp://u:***@cam/x");
        assertThat(SecretMasker.maskUrls("\"rtsp://u:p@ss@cam/x\".")).isEqualTo("\"rtsp://u:***@cam/x\".");
    }

    @Test
    void masksCredentialQueryParameters() {
        assertThat(SecretMasker.maskUrls("http://cam/video.cgi?user=admin&pwd=hunter2&res=hd"))
                .isEqualTo("http://cam/video.cgi?user=admin&pwd=***&res=hd");
        assertThat(SecretMasker.maskUrls("http://cam/a?password=x1&token=abc"))
                .isEqualTo("http://cam/a?password=***&token=***");
    }

    @Test
    void masksTheConfiguredSecretWhereverItAppears() {
        SecretMasker m = new SecretMasker("rtsp://admin:p%40ss%2Fword@cam/x");
        assertThat(m.mask("could not open \"rtsp://admin:p@ss/word@cam/x\"")).doesNotContain("p@ss/word");
        assertThat(m.mask("weird echo: p%40ss%2Fword and p@ss/word")).isEqualTo("weird echo: *** and ***");
    }

    @Test
    void shortSecretsAreNotReplacedLiterally() {
        SecretMasker m = new SecretMasker("rtsp://u:ab@cam/x");
        assertThat(m.mask("table about rtsp://u:ab@cam/x")).isEqualTo("table about rtsp://u:***@cam/x");
    }

    @Test
    void nullIsEmpty() {
        assertThat(new SecretMasker(null).mask(null)).isEmpty();
    }
}
