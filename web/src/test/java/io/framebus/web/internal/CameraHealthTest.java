package io.framebus.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import java.time.Duration;
import java.util.stream.StreamSupport;
import org.apache.felix.hc.api.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CameraHealthTest {
    private static SourceStatus status(SourceState state, boolean live, String error) {
        return new SourceStatus("cam", state, live, error, state == SourceState.INVALID ? -1 : 99, 2, 10, 5, 5, 0, 5,
                Duration.ofMillis(120), 1000, 1);
    }

    @Test
    void streamingWithFreshFramesIsOk() {
        Result r = CameraHealth.of(status(SourceState.STREAMING, true, ""));
        assertThat(r.getStatus()).isEqualTo(Result.Status.OK);
        assertThat(text(r)).contains("camera cam: alive (capture process 99), fresh frames: 5.0 fps, newest frame 120 ms old");
    }

    @Test
    void streamingWithStaleFramesWarns() {
        Result r = CameraHealth.of(status(SourceState.STREAMING, false, ""));
        assertThat(r.getStatus()).isEqualTo(Result.Status.WARN);
        assertThat(text(r)).contains("not fresh");
    }

    @ParameterizedTest
    @EnumSource(value = SourceState.class, names = {"STARTING", "CONNECTING", "RECONNECTING", "STALLED", "RESTARTING"})
    void recoveringStatesAreTemporarilyUnavailableWithTheReason(SourceState state) {
        Result r = CameraHealth.of(status(state, false, "capture process 98 exited with code 137"));
        assertThat(r.getStatus()).isEqualTo(Result.Status.TEMPORARILY_UNAVAILABLE);
        assertThat(text(r)).contains(state.name()).contains("exited with code 137");
    }

    @Test
    void aCameraOnAnotherClusterHostIsOkHereAndOneOnNoHostWarns() {
        Result elsewhere = CameraHealth.of(new SourceStatus("cam", SourceState.ELSEWHERE, false, "", -1, 0, 0, 0, 0, 0,
                0, null, -1, -1, false, null, "host2"));
        assertThat(elsewhere.getStatus()).isEqualTo(Result.Status.OK);
        assertThat(text(elsewhere)).contains("runs on host host2");
        Result nowhere = CameraHealth.of(new SourceStatus("cam", SourceState.UNPLACED, false,
                "every live member that may run it is full (maxCameras)", -1, 0, 0, 0, 0, 0, 0, null, -1, -1));
        assertThat(nowhere.getStatus()).isEqualTo(Result.Status.WARN);
        assertThat(text(nowhere)).contains("full (maxCameras)");
    }

    @Test
    void failedAndInvalidAreCritical() {
        assertThat(CameraHealth.of(status(SourceState.FAILED, false, "401 Unauthorized")).getStatus())
                .isEqualTo(Result.Status.CRITICAL);
        Result invalid = CameraHealth.of(status(SourceState.INVALID, false, "url is required"));
        assertThat(invalid.getStatus()).isEqualTo(Result.Status.CRITICAL);
        assertThat(text(invalid)).contains("INVALID").contains("url is required");
    }

    @Test
    void stoppedOnPurposeIsOk() {
        assertThat(CameraHealth.of(status(SourceState.STOPPED, false, "")).getStatus()).isEqualTo(Result.Status.OK);
    }

    @Test
    void everyStateHasAVerdict() {
        for (SourceState s : SourceState.values()) {
            assertThat(CameraHealth.of(status(s, s == SourceState.STREAMING, "")).getStatus()).as(s.name()).isNotNull();
        }
    }

    @Test
    void aCameraGoneSinceRegistrationWarns() {
        assertThat(CameraHealth.missing("cam").getStatus()).isEqualTo(Result.Status.WARN);
    }

    private static String text(Result r) {
        return String.join("\n", StreamSupport.stream(r.spliterator(), false).map(e -> e.getMessage()).toList());
    }
}
