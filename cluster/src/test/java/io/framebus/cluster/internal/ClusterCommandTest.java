package io.framebus.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.manager.placement.ClusterState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ClusterCommandTest {

    @Test
    void oneLinePerMemberThenWhatRunsNowhereOrDiffers() {
        ClusterState state = new ClusterState("framebus", "host1", "coordinator",
                List.of(new ClusterState.Member("host1", "10.0.0.1:5701", true, 0, List.of(), List.of("c1", "c3")),
                        new ClusterState.Member("host2", "10.0.0.2:5701", false, 8, List.of("gpu"), List.of("c2"))),
                new TreeMap<>(Map.of("c1", "host1", "c2", "host2", "c3", "host1")),
                new TreeMap<>(Map.of("c9", "every live member that may run it is full (maxCameras)")),
                new TreeMap<>(Map.of("c4", "configuration differs between hosts (host1 | host2)")));
        assertThat(ClusterCommand.text(state).split("\n")).containsExactly(
                "cluster framebus, this host host1 (coordinator), 2 member(s), 3 camera(s) placed",
                "HOST                 ADDRESS                ROLE           MAX  CAMS  CAMERAS",
                "host1                10.0.0.1:5701          coordinator      -     2  c1,c3",
                "host2                10.0.0.2:5701          member           8     1  c2",
                "unplaced c9: every live member that may run it is full (maxCameras)",
                "conflict c4: configuration differs between hosts (host1 | host2)");
    }

    @Test
    void aListPropertyMayBeOneCommaSeparatedString() {
        assertThat(ClusterMembership.list(new String[] {"10.0.0.1, 10.0.0.2:5701", "10.0.0.3"}))
                .containsExactly("10.0.0.1", "10.0.0.2:5701", "10.0.0.3");
        assertThat(ClusterMembership.list(new String[] {""})).isEmpty();
    }
}
