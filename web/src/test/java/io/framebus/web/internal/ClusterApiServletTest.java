package io.framebus.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.framebus.manager.placement.ClusterState;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ClusterApiServletTest {

    @Test
    void membersCamerasRoleUnplacedAndConflictsAsJson() {
        TreeMap<String, String> owners = new TreeMap<>();
        owners.put("c1", "host1");
        owners.put("c2", "host2");
        ClusterState state = new ClusterState("framebus", "host2", "member",
                List.of(new ClusterState.Member("host1", "10.0.0.1:5701", true, 0, List.of("gpu"), List.of("c1")),
                        new ClusterState.Member("host2", "10.0.0.2:5701", false, 16, List.of(), List.of("c2"))),
                owners, new TreeMap<>(java.util.Map.of("c3", "no live member matches its constraint [site-b]")),
                new TreeMap<>(java.util.Map.of("c4", "configuration differs \"between\" hosts")));
        String json = ClusterApiServlet.json(state);
        assertThat(json).startsWith("{\"clusterName\":\"framebus\",\"thisHost\":\"host2\",\"role\":\"member\",\"members\":[")
                .contains("{\"host\":\"host1\",\"address\":\"10.0.0.1:5701\",\"coordinator\":true,\"maxCameras\":0,"
                        + "\"labels\":[\"gpu\"],\"cameras\":[\"c1\"]}")
                .contains("\"owners\":{\"c1\":\"host1\",\"c2\":\"host2\"}")
                .contains("\"unplaced\":{\"c3\":\"no live member matches its constraint [site-b]\"}")
                .contains("\"conflicts\":{\"c4\":\"configuration differs \\\"between\\\" hosts\"}")
                .endsWith("}");
    }
}
