package io.framebus.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HazelcastPropertiesTest {
    @Test
    void takesNameValuePairsAsListOrCommaSeparated() {
        assertThat(ClusterMembership.hazelcastProperties(new String[] {
                "hazelcast.operation.thread.count=1, hazelcast.io.thread.count = 1", "hazelcast.event.thread.count=2"}))
                .containsExactly(Map.entry("hazelcast.operation.thread.count", "1"),
                        Map.entry("hazelcast.io.thread.count", "1"), Map.entry("hazelcast.event.thread.count", "2"));
        assertThat(ClusterMembership.hazelcastProperties(new String[0])).isEmpty();
    }

    @Test
    void rejectsWhatIsNoHazelcastProperty() {
        assertThatThrownBy(() -> ClusterMembership.hazelcastProperties(new String[] {"java.io.tmpdir=/x"}))
                .hasMessageContaining("hazelcastProperties entry 'java.io.tmpdir=/x'");
        assertThatThrownBy(() -> ClusterMembership.hazelcastProperties(new String[] {"hazelcast.io.thread.count"}))
                .hasMessageContaining("not name=value");
        assertThatThrownBy(() -> ClusterMembership.hazelcastProperties(new String[] {"hazelcast.io.thread.count="}))
                .hasMessageContaining("not name=value");
    }
}
