package io.framebus.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PreviewStreamsTest {
    /** The configuration DS would give: the metatype defaults, some overridden. */
    static PreviewConfig config(Map<String, Object> overrides) {
        return (PreviewConfig) Proxy.newProxyInstance(PreviewConfig.class.getClassLoader(),
                new Class<?>[] {PreviewConfig.class}, (proxy, method, args) ->
                        overrides.containsKey(method.getName()) ? overrides.get(method.getName())
                                : method.getDefaultValue());
    }

    @Test
    void aPreviewRateIsClampedBetweenASaneMinimumAndMaxFps() {
        PreviewStreams streams = new PreviewStreams(config(Map.of()));
        long slowest = TimeUnit.SECONDS.toNanos(2); // 0.5 fps
        assertThat(streams.previewIntervalNanos(1e-9)).as("would park a stream for 31 years").isEqualTo(slowest);
        assertThat(streams.previewIntervalNanos(1e-300)).as("overflowed into a busy loop").isEqualTo(slowest);
        assertThat(streams.previewIntervalNanos(Double.MIN_VALUE)).isEqualTo(slowest);
        assertThat(streams.previewIntervalNanos(1)).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        assertThat(streams.previewIntervalNanos(1000)).as("maxFps 5").isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(streams.previewIntervalNanos(Double.POSITIVE_INFINITY)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(streams.previewIntervalNanos(0)).isNegative();
        assertThat(streams.previewIntervalNanos(-1)).isNegative();
        assertThat(streams.previewIntervalNanos(Double.NaN)).isNegative();

        PreviewStreams slow = new PreviewStreams(config(Map.of("maxFps", 0.2)));
        assertThat(slow.previewIntervalNanos(1e-9)).as("an operator's maxFps below the minimum wins")
                .isEqualTo(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void snapshotsAreScaledToAtMostTheLimitByDefault() {
        PreviewStreams streams = new PreviewStreams(config(Map.of()));
        assertThat(streams.snapshotWidth(0)).as("no ?width: the default maximum, not a full 4K frame").isEqualTo(1920);
        assertThat(streams.snapshotWidth(160)).isEqualTo(160);
        assertThat(streams.snapshotWidth(100_000)).isEqualTo(1920);
        assertThat(new PreviewStreams(config(Map.of("snapshotMaxWidth", 8192))).snapshotWidth(0)).isEqualTo(8192);
    }

    @Test
    void atMostMaxSnapshotsAreMadeAtOnce() {
        PreviewStreams streams = new PreviewStreams(config(Map.of("maxSnapshots", 2)));
        assertThat(streams.startSnapshot()).isTrue();
        assertThat(streams.startSnapshot()).isTrue();
        assertThat(streams.startSnapshot()).isFalse();
        streams.snapshotDone();
        assertThat(streams.startSnapshot()).isTrue();
    }

    @Test
    void badLimitsAreRefusedByName() {
        assertThatThrownBy(() -> new PreviewStreams(config(Map.of("maxSnapshots", 0))))
                .hasMessageContaining("maxSnapshots >= 1");
        assertThatThrownBy(() -> new PreviewStreams(config(Map.of("snapshotMaxWidth", 8))))
                .hasMessageContaining("snapshotMaxWidth must be >= 16");
    }
}
