package io.framebus.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class PixelFormatTest {

    @Test
    void packedFormatsHaveThreeBytesPerPixel() {
        assertThat(PixelFormat.BGR24.frameBytes(1280, 720)).isEqualTo(2_764_800L);
        assertThat(PixelFormat.RGB24.stride(1280)).isEqualTo(3840);
        assertThat(PixelFormat.GRAY8.frameBytes(640, 480)).isEqualTo(307_200L);
        assertThat(PixelFormat.GRAY8.stride(640)).isEqualTo(640);
    }

    @Test
    void subsampledFormatsRoundChromaUpForOddSizes() {
        assertThat(PixelFormat.YUV420P.frameBytes(1280, 720)).isEqualTo(1280 * 720 * 3 / 2);
        assertThat(PixelFormat.NV12.frameBytes(1280, 720)).isEqualTo(1280 * 720 * 3 / 2);
        // 5x3: luma 15, chroma planes 3x2 each
        assertThat(PixelFormat.YUV420P.frameBytes(5, 3)).isEqualTo(15 + 2 * 6);
        assertThat(PixelFormat.NV12.frameBytes(5, 3)).isEqualTo(15 + 2 * 6);
        assertThat(PixelFormat.YUV420P.planes()).isEqualTo(3);
        assertThat(PixelFormat.NV12.planes()).isEqualTo(2);
    }

    @Test
    void codesRoundTripAndUnknownCodesAreRejected() {
        for (PixelFormat f : PixelFormat.values()) {
            assertThat(PixelFormat.fromCode(f.code())).isSameAs(f);
        }
        assertThatThrownBy(() -> PixelFormat.fromCode(99)).hasMessageContaining("99");
    }

    @Test
    void nonPositiveSizesAreRejectedWithTheSize() {
        assertThatThrownBy(() -> new FrameFormat(0, 720, PixelFormat.BGR24)).hasMessageContaining("0x720");
        assertThatThrownBy(() -> PixelFormat.GRAY8.frameBytes(-1, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void frameCopiesAreImmutableViews() {
        FrameFormat format = new FrameFormat(2, 2, PixelFormat.GRAY8);
        FrameInfo info = new FrameInfo("cam", 1, 1, 0, System.nanoTime(), FrameInfo.NO_PTS, format, true);
        ByteBuffer bytes = ByteBuffer.wrap(new byte[] {1, 2, 3, 4});
        Frame frame = new Frame(info, bytes);
        assertThat(frame.pixels().isReadOnly()).isTrue();
        assertThat(frame.toByteArray()).containsExactly(1, 2, 3, 4);
        assertThatThrownBy(() -> new Frame(info, ByteBuffer.allocate(3))).hasMessageContaining("expected 4 bytes");
    }
}
