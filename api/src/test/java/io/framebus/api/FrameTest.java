package io.framebus.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FrameTest {
    private static final FrameFormat FORMAT = new FrameFormat(2, 2, PixelFormat.GRAY8);
    private static final FrameInfo INFO = new FrameInfo("cam", 5, 1, 0, System.nanoTime(), FrameInfo.NO_PTS, FORMAT, false);

    @Test
    void closeReleasesOnceAndKeepsTheMetadata() {
        AtomicInteger released = new AtomicInteger();
        Frame f = new Frame(INFO, ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), released::incrementAndGet);
        assertThat(f.toByteArray()).containsExactly(1, 2, 3, 4);
        assertThat(f.isClosed()).isFalse();

        f.close();
        f.close();

        assertThat(released).hasValue(1);
        assertThat(f.isClosed()).isTrue();
        assertThat(f.sequence()).isEqualTo(5);
        assertThat(f.info()).isSameAs(INFO);
        assertThatThrownBy(f::pixels).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(f::toByteArray).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theViewIsReadOnlyAndSizedToTheFormat() {
        try (Frame f = new Frame(INFO, ByteBuffer.wrap(new byte[] {9, 9, 9, 9}))) {
            assertThat(f.pixels().isReadOnly()).isTrue();
            assertThat(f.pixels().remaining()).isEqualTo(4);
        }
        assertThatThrownBy(() -> new Frame(INFO, ByteBuffer.allocate(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 4 bytes");
    }
}
