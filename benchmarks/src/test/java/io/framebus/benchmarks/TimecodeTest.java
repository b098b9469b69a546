package io.framebus.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimecodeTest {
    private static final int W = 1280;
    private static final int H = 720;

    @Test
    void crcMatchesTheServersPythonImplementation() {
        // tools/rtsp-test-server.py: crc8((5541806675).to_bytes(6, "big")) == 229
        assertThat(Timecode.crc8(5_541_806_675L)).isEqualTo(229);
    }

    @Test
    void decodesASyntheticFrameWithCompressionLikeNoiseAndFullRangeLevels() {
        long micros = 5_541_806_675L;
        byte[] gray = grey();
        Timecode.draw(gray, W, micros);
        Random random = new Random(42);
        for (int i = 0; i < gray.length; i++) {
            // video range -> full range (as swscale does for GRAY8), then +-20 of noise
            int full = (int) Math.round(((gray[i] & 0xFF) - 16) * 255.0 / 219.0) + random.nextInt(41) - 20;
            gray[i] = (byte) Math.max(0, Math.min(255, full));
        }
        assertThat(Timecode.decode(ByteBuffer.wrap(gray), W, H, 1, W)).isEqualTo(micros);
    }

    @Test
    void readsTheFirstChannelOfAPackedFrame() {
        long micros = (1L << 47) + 12345;
        byte[] gray = grey();
        Timecode.draw(gray, W, micros);
        byte[] bgr = new byte[gray.length * 3];
        for (int i = 0; i < gray.length; i++) {
            Arrays.fill(bgr, 3 * i, 3 * i + 3, gray[i]);
        }
        assertThat(Timecode.decode(ByteBuffer.wrap(bgr), W, H, 3, 3 * W)).isEqualTo(micros);
    }

    @Test
    void rejectsAFrameWithoutCodeOrWithAFlippedBit() {
        assertThat(Timecode.decode(ByteBuffer.wrap(grey()), W, H, 1, W)).isEqualTo(Timecode.INVALID);

        byte[] gray = grey();
        Timecode.draw(gray, W, 987_654_321L);
        int bw = Timecode.blockWidth(W);
        int bh = Timecode.blockHeight(W);
        int block = 30; // a value bit
        byte flipped = (byte) ((gray[bh * W + block * bw] & 0xFF) > 128 ? 16 : 235);
        for (int y = bh; y < 2 * bh; y++) {
            Arrays.fill(gray, y * W + block * bw, y * W + (block + 1) * bw, flipped);
        }
        assertThat(Timecode.decode(ByteBuffer.wrap(gray), W, H, 1, W)).isEqualTo(Timecode.INVALID);
    }

    private static byte[] grey() {
        byte[] gray = new byte[W * H];
        Arrays.fill(gray, (byte) 128);
        return gray;
    }
}
