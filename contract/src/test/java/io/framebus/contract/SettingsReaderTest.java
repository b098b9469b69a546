package io.framebus.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SettingsReaderTest {

    private static InputStream in(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsUpToTheFirstEmptyLineAndNoFurther() throws Exception {
        InputStream in = in("cameraId=front\nurl=rtsp\\://u\\:p@cam/x\n# a comment\n\nafter=1\n");
        Properties p = SettingsReader.read(in);
        assertThat(p).containsOnlyKeys("cameraId", "url");
        assertThat(p.getProperty("url")).isEqualTo("rtsp://u:p@cam/x");
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("after=1\n");
    }

    @Test
    void carriageReturnLineEndsWork() throws Exception {
        Properties p = SettingsReader.read(in("cameraId=front\r\nfps=5\r\n\r\n"));
        assertThat(p.getProperty("fps")).isEqualTo("5");
    }

    @Test
    void utf8AndEscapesAreDecoded() throws Exception {
        Properties p = SettingsReader.read(in("url=file\\:/vid\u00e9os/caf\\u00e9.mp4\n\n"));
        assertThat(p.getProperty("url")).isEqualTo("file:/vidéos/café.mp4");
    }

    @Test
    void endOfInputBeforeTheEmptyLineIsAnError() {
        assertThatThrownBy(() -> SettingsReader.read(in("cameraId=front\n")))
                .isInstanceOf(InvalidSettingsException.class).hasMessageContaining("before the empty line");
        assertThatThrownBy(() -> SettingsReader.read(in("")))
                .isInstanceOf(InvalidSettingsException.class).hasMessageContaining("before any settings");
    }

    @Test
    void endlessInputWithoutEmptyLineIsCut() {
        String big = "x=" + "y".repeat(SettingsReader.MAX_BYTES) + "\n\n";
        assertThatThrownBy(() -> SettingsReader.read(in(big)))
                .isInstanceOf(InvalidSettingsException.class).hasMessageContaining("larger than");
    }

    @Test
    void malformedUnicodeEscapeIsAnError() {
        assertThatThrownBy(() -> SettingsReader.read(in("url=\\uZZZZ\n\n")))
                .isInstanceOf(InvalidSettingsException.class).hasMessageContaining("not a properties document");
    }
}
