package io.framebus.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CoordinatorTest {

    private static CameraEntry camera(String id, String url, String... more) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("id", id);
        props.put("url", url);
        props.put("service.pid", "io.framebus.camera." + Math.random()); // bookkeeping: not part of the fingerprint
        props.put("felix.fileinstall.filename", "file:/somewhere/" + Math.random());
        for (int i = 0; i < more.length; i += 2) {
            props.put(more[i], more[i + 1]);
        }
        return CameraEntry.of(props);
    }

    private static Coordinator.MemberView member(String host, CameraEntry... cams) {
        return new Coordinator.MemberView(ClusterHost.of(host), List.of(cams));
    }

    @Test
    void theFingerprintHidesThePasswordAndIgnoresBookkeeping() {
        CameraEntry a = camera("c", "rtsp://u:secret@cam/1");
        CameraEntry b = camera("c", "rtsp://u:secret@cam/1");
        CameraEntry other = camera("c", "rtsp://u:other@cam/1");
        assertThat(a.fingerprint()).isEqualTo(b.fingerprint()).hasSize(64).doesNotContain("secret");
        assertThat(a.line()).doesNotContain("secret").doesNotContain("rtsp");
        assertThat(other.fingerprint()).isNotEqualTo(a.fingerprint());
        assertThat(CameraEntry.parse(a.line())).isEqualTo(a);
    }

    @Test
    void aCameraConfiguredDifferentlyRunsOnceWhereMostHostsAgreeAndIsReported() {
        CameraEntry same = camera("c", "rtsp://cam/1");
        CameraEntry changed = camera("c", "rtsp://cam/2");
        PublishedAssignment p = Coordinator.plan("a", List.of(member("a", changed), member("b", same), member("c", same)),
                Map.of("c", "a"), false);
        assertThat(p.owners().get("c")).isIn("b", "c");
        assertThat(p.conflicts().get("c")).contains("differs").contains("a").contains("b,c");
    }

    @Test
    void aCameraOnlySomeHostsHaveRunsOnOneOfThem() {
        PublishedAssignment p = Coordinator.plan("a", List.of(member("a"), member("b", camera("x", "testsrc:")),
                new Coordinator.MemberView(ClusterHost.of("c"), null)), Map.of(), false);
        assertThat(p.owners()).containsExactly(Map.entry("x", "b"));
        assertThat(p.conflicts()).isEmpty();
    }

    @Test
    void disabledCamerasArePlacedNowhereAndNotReported() {
        PublishedAssignment p = Coordinator.plan("a", List.of(member("a", camera("x", "testsrc:", "enabled", "false"))),
                Map.of(), false);
        assertThat(p.owners()).isEmpty();
        assertThat(p.unplaced()).isEmpty();
    }

    @Test
    void constraintAndWeightComeFromTheConfiguration() {
        CameraEntry big = camera("big", "testsrc:", "width", "1920", "height", "1080", "fps", "25", "clusterHosts", "b, gpu");
        assertThat(big.allowedOn()).containsExactlyInAnyOrder("b", "gpu");
        assertThat(big.weight()).isEqualTo(1920L * 1080 * 25 / 1000);
        assertThat(camera("small", "testsrc:").weight()).isEqualTo(1280L * 720 * 25 / 1000);
        PublishedAssignment p = Coordinator.plan("a", List.of(member("a", big), member("b", big)), Map.of(), true);
        assertThat(p.owners()).containsExactly(Map.entry("big", "b"));
    }

    @Test
    void thePublishedTextRoundTrips() {
        PublishedAssignment p = Coordinator.plan("a", List.of(member("a", camera("x", "testsrc:"), camera("y", "testsrc:",
                "clusterHosts", "nowhere"))), Map.of(), false);
        assertThat(p.unplaced()).containsKey("y");
        assertThat(PublishedAssignment.decode(p.encode())).isEqualTo(p);
        assertThat(PublishedAssignment.decode(null)).isEqualTo(PublishedAssignment.NONE);
    }
}
