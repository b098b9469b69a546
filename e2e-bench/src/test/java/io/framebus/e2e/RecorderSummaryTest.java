package io.framebus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameInfo;
import io.framebus.api.PixelFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecorderSummaryTest {

    private static FrameInfo frame(String id, long generation, long sequence, long captureMono) {
        return new FrameInfo(id, sequence, generation, 1_795_000_000_000_000_000L + captureMono, captureMono,
                FrameInfo.NO_PTS, new FrameFormat(1280, 720, PixelFormat.BGR24), sequence == 1);
    }

    @Test
    void theRecorderCountsFramesGapsGenerationsAndLatencies() {
        LatencyRecorder.CameraStats s = new LatencyRecorder.CameraStats("cam0", null);
        s.onFrame(frame("cam0", 2, 1, 1_000_000_000L), 1_004_000_000L, 5_000);   // 4 ms
        s.onFrame(frame("cam0", 2, 2, 1_166_000_000L), 1_171_000_000L, 5_166);   // 5 ms
        s.onFrame(frame("cam0", 2, 5, 1_666_000_000L), 1_672_000_000L, 5_666);   // 6 ms, 2 frames skipped
        s.onFrame(frame("cam0", 3, 1, 9_000_000_000L), 9_003_000_000L, 13_000);  // restart: generation 3
        s.sampleAge(9_100_000_000L);                                             // 100 ms old

        RecorderSummary.Camera c = s.snapshot();
        assertThat(c.frames()).isEqualTo(4);
        assertThat(c.gaps()).isEqualTo(2);
        assertThat(c.generation()).isEqualTo(3);
        assertThat(c.sequence()).isEqualTo(1);
        assertThat(c.generations()).extracting(RecorderSummary.GenerationStart::generation).containsExactly(2L, 3L);
        assertThat(c.firstGenerationSince(6_000).generation()).isEqualTo(3);
        assertThat(c.firstGenerationSince(13_001)).isNull();
        LogHistogram lat = c.histogram("captureToCallback");
        assertThat(lat.count()).isEqualTo(4);
        assertThat(lat.percentile(0.5)).isBetween(4_000L, 4_100L);
        assertThat(lat.max()).isBetween(6_000L, 6_100L);
        assertThat(c.histogram("publishToCallback").count()).isZero(); // no ring directory configured
        assertThat(c.histogram("age").percentile(0.5)).isBetween(100_000L, 101_600L);
    }

    @Test
    void aSummaryRoundTripsThroughItsTextForm() {
        LatencyRecorder.CameraStats s = new LatencyRecorder.CameraStats("front.door-1", null);
        s.bound = true;
        s.decoded = 1234;
        s.published = 300;
        s.restarts = 2;
        s.onFrame(frame("front.door-1", 7, 1, 2_000_000_000L), 2_002_500_000L, 1_795_486_646_574L);
        RecorderSummary written = new RecorderSummary(1_795_486_647_000L, 123_456_789L,
                Map.of("front.door-1", s.snapshot(), "idle", new LatencyRecorder.CameraStats("idle", null).snapshot()));

        RecorderSummary read = RecorderSummary.parse(written.format());
        assertThat(read.writtenEpochMillis()).isEqualTo(1_795_486_647_000L);
        assertThat(read.writtenMonoNanos()).isEqualTo(123_456_789L);
        assertThat(read.cameras().keySet()).containsExactly("front.door-1", "idle");
        RecorderSummary.Camera c = read.camera("front.door-1");
        assertThat(c.bound()).isTrue();
        assertThat(c.frames()).isEqualTo(1);
        assertThat(c.decoded()).isEqualTo(1234);
        assertThat(c.published()).isEqualTo(300);
        assertThat(c.restarts()).isEqualTo(2);
        assertThat(c.generations()).containsExactly(new RecorderSummary.GenerationStart(7, 1_795_486_646_574L, 1_795_000_002_000L));
        assertThat(c.histogram("captureToCallback").format()).isEqualTo(s.snapshot().histogram("captureToCallback").format());
        assertThat(read.camera("idle").frames()).isZero();
        assertThat(read.camera("idle").generations()).isEmpty();
        assertThat(read.format()).isEqualTo(written.format());
    }

    @Test
    void somethingElseIsRefused() {
        assertThatThrownBy(() -> RecorderSummary.parse("format=other\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecorderSummary.parse("format=" + RecorderSummary.FORMAT + "\ncameras=\n"))
                .hasMessageContaining("writtenEpochMillis");
        assertThat(RecorderSummary.parse("format=" + RecorderSummary.FORMAT
                + "\nwrittenEpochMillis=1\nwrittenMonoNanos=2\ncameras=\n").cameras()).isEmpty();
        assertThat(List.copyOf(RecorderSummary.HISTOGRAMS)).contains("publishToCallback");
    }
}
