package io.framebus.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PlacementTest {

    private static List<ClusterHost> hosts(String... names) {
        List<ClusterHost> out = new ArrayList<>();
        for (String n : names) {
            out.add(ClusterHost.of(n));
        }
        return out;
    }

    private static Set<String> names(List<ClusterHost> hosts) {
        return hosts.stream().map(ClusterHost::name).collect(Collectors.toSet());
    }

    private static List<CameraDemand> cameras(int n, Set<String> configuredOn) {
        return IntStream.range(0, n).mapToObj(i -> new CameraDemand(String.format("cam%03d", i), 1, Set.of(), configuredOn))
                .collect(Collectors.toList());
    }

    private static int spread(Assignment a, List<ClusterHost> hosts) {
        var counts = a.countsPerHost(names(hosts)).values();
        return Collections.max(counts) - Collections.min(counts);
    }

    @Test
    void spreadsEvenlyWithinOneCamera() {
        List<ClusterHost> h = hosts("a", "b", "c");
        Assignment a = Placement.compute(h, cameras(10, names(h)), Map.of());
        assertThat(a.owners()).hasSize(10);
        assertThat(a.unplaced()).isEmpty();
        assertThat(a.countsPerHost(names(h))).containsEntry("a", 4).containsEntry("b", 3).containsEntry("c", 3);
        assertThat(a.moved()).isZero();
    }

    @Test
    void sameInputsSameAnswerWhateverTheOrder() {
        List<ClusterHost> h = hosts("h1", "h2", "h3", "h4", "h5");
        List<CameraDemand> cams = cameras(97, names(h));
        Assignment first = Placement.compute(h, cams, Map.of());
        List<ClusterHost> h2 = new ArrayList<>(h);
        List<CameraDemand> cams2 = new ArrayList<>(cams);
        Collections.shuffle(h2, new Random(1));
        Collections.shuffle(cams2, new Random(2));
        Map<String, String> prev = new HashMap<>(); // no order of its own either
        assertThat(Placement.compute(h2, cams2, prev)).isEqualTo(first);
    }

    @Test
    void aDepartedHostsCamerasGoToTheSurvivorsAndNothingElseMoves() {
        List<ClusterHost> h = hosts("a", "b", "c");
        List<CameraDemand> cams = cameras(9, names(h));
        Assignment before = Placement.compute(h, cams, Map.of());
        List<ClusterHost> survivors = hosts("a", "c");
        Assignment after = Placement.compute(survivors, cams, before.owners());
        assertThat(after.owners()).hasSize(9);
        before.owners().forEach((cam, host) -> {
            if (!host.equals("b")) {
                assertThat(after.owners()).containsEntry(cam, host);
            }
        });
        assertThat(after.moved()).as("the departed host's cameras are not counted as moves").isZero();
        assertThat(spread(after, survivors)).isLessThanOrEqualTo(1);
    }

    @Test
    void aJoiningHostTakesItsShareAndOnlyThat() {
        List<ClusterHost> h = hosts("a", "b", "c");
        List<CameraDemand> cams = cameras(12, Set.of("a", "b", "c", "d"));
        Assignment before = Placement.compute(h, cams, Map.of());
        List<ClusterHost> four = hosts("a", "b", "c", "d");
        Assignment after = Placement.compute(four, cams, before.owners());
        assertThat(after.countsPerHost(names(four))).containsEntry("d", 3);
        assertThat(after.moved()).isEqualTo(3);
        after.owners().forEach((cam, host) -> {
            if (!host.equals("d")) {
                assertThat(before.owners()).containsEntry(cam, host);
            }
        });
    }

    @Test
    void anUnsettledHostTakesNoRunningCameraButDoesTakeOrphans() {
        List<ClusterHost> three = hosts("a", "b", "c");
        List<CameraDemand> cams = cameras(9, Set.of("a", "b", "c"));
        Assignment running = Placement.compute(three, cams, Map.of());
        // b flaps: leaves, its cameras go to a and c ...
        Assignment withoutB = Placement.compute(hosts("a", "c"), cams, running.owners());
        // ... and comes back, still unsettled: nothing moves back yet
        List<ClusterHost> bBack = List.of(ClusterHost.of("a"), new ClusterHost("b", 0, Set.of(), false), ClusterHost.of("c"));
        Assignment rejoined = Placement.compute(bBack, cams, withoutB.owners());
        assertThat(rejoined.owners()).isEqualTo(withoutB.owners());
        assertThat(rejoined.moved()).isZero();
        // a new camera goes to the least loaded host even while it is unsettled
        List<CameraDemand> plusOne = new ArrayList<>(cams);
        plusOne.add(new CameraDemand("new", 1, Set.of(), Set.of("a", "b", "c")));
        assertThat(Placement.compute(bBack, plusOne, withoutB.owners()).owners()).containsEntry("new", "b");
        // once settled, b takes its share back: within one of the others
        Assignment settled = Placement.compute(three, cams, rejoined.owners());
        assertThat(spread(settled, three)).isLessThanOrEqualTo(1);
        assertThat(settled.moved()).isEqualTo(3);
    }

    @Test
    void anImbalanceOfOneMovesNothing() {
        List<ClusterHost> h = hosts("a", "b");
        List<CameraDemand> cams = cameras(3, names(h));
        Map<String, String> prev = Map.of("cam000", "a", "cam001", "a", "cam002", "b");
        Assignment a = Placement.compute(h, cams, prev);
        assertThat(a.owners()).isEqualTo(new java.util.TreeMap<>(prev));
        assertThat(a.moved()).isZero();
    }

    @Test
    void maxCamerasIsRespectedAndTheRestReported() {
        List<ClusterHost> h = List.of(new ClusterHost("a", 2, Set.of(), true), new ClusterHost("b", 1, Set.of(), true));
        Assignment a = Placement.compute(h, cameras(5, Set.of("a", "b")), Map.of());
        assertThat(a.countsPerHost(Set.of("a", "b"))).containsEntry("a", 2).containsEntry("b", 1);
        assertThat(a.unplaced()).hasSize(2).allSatisfy((cam, why) -> assertThat(why).contains("full"));
    }

    @Test
    void constraintsByHostNameOrLabel() {
        List<ClusterHost> h = List.of(new ClusterHost("a", 0, Set.of("gpu"), true), ClusterHost.of("b"), ClusterHost.of("c"));
        Set<String> all = Set.of("a", "b", "c");
        List<CameraDemand> cams = new ArrayList<>(cameras(6, all));
        cams.add(new CameraDemand("needs-gpu", 1, Set.of("gpu"), all));
        cams.add(new CameraDemand("only-c", 1, Set.of("c"), all));
        cams.add(new CameraDemand("nowhere", 1, Set.of("site-b"), all));
        Assignment a = Placement.compute(h, cams, Map.of());
        assertThat(a.owners()).containsEntry("needs-gpu", "a").containsEntry("only-c", "c").doesNotContainKey("nowhere");
        assertThat(a.unplaced()).containsOnlyKeys("nowhere");
        assertThat(a.unplaced().get("nowhere")).contains("constraint").contains("site-b");
        assertThat(spread(a, h)).isLessThanOrEqualTo(1);
    }

    @Test
    void aCameraRunsOnlyWhereItIsConfigured() {
        List<ClusterHost> h = hosts("a", "b", "c");
        List<CameraDemand> cams = List.of(new CameraDemand("x", 1, Set.of(), Set.of("b")),
                new CameraDemand("y", 1, Set.of(), Set.of()));
        Assignment a = Placement.compute(h, cams, Map.of("x", "a"));
        assertThat(a.owners()).containsOnly(Map.entry("x", "b"));
        assertThat(a.unplaced().get("y")).contains("configuration");
    }

    @Test
    void aPreviousOwnerThatLostTheConfigurationGivesTheCameraUp() {
        List<ClusterHost> h = hosts("a", "b");
        Assignment a = Placement.compute(h, List.of(new CameraDemand("x", 1, Set.of(), Set.of("b"))), Map.of("x", "a"));
        assertThat(a.owners()).containsEntry("x", "b");
        assertThat(a.moved()).isEqualTo(1);
    }

    @Test
    void weightsBalanceLoadNotCount() {
        List<ClusterHost> h = hosts("a", "b");
        List<CameraDemand> cams = new ArrayList<>();
        Set<String> all = Set.of("a", "b");
        cams.add(new CameraDemand("big", 1920L * 1080 * 25, Set.of(), all));
        for (int i = 0; i < 4; i++) {
            cams.add(new CameraDemand("small" + i, 640L * 360 * 25, Set.of(), all));
        }
        Assignment a = Placement.compute(h, cams, Map.of());
        String bigHost = a.owners().get("big");
        assertThat(a.owners().entrySet().stream().filter(e -> e.getKey().startsWith("small"))
                .allMatch(e -> !e.getValue().equals(bigHost))).as("the four small ones weigh less than the big one").isTrue();
    }

    @Test
    void hostsChangingOverAndOverConvergeToEvenAndStayPut() {
        Random r = new Random(42);
        List<String> pool = List.of("h1", "h2", "h3", "h4", "h5", "h6");
        Set<String> all = Set.copyOf(pool);
        List<CameraDemand> cams = cameras(50, all);
        Map<String, String> prev = Map.of();
        for (int round = 0; round < 200; round++) {
            List<ClusterHost> live = pool.stream().filter(x -> r.nextInt(4) != 0).map(ClusterHost::of).toList();
            if (live.isEmpty()) {
                continue;
            }
            Assignment a = Placement.compute(live, cams, prev);
            assertThat(a.owners()).hasSize(50);
            assertThat(spread(a, live)).isLessThanOrEqualTo(1);
            assertThat(Placement.compute(live, cams, a.owners()).moved()).as("a fixed point").isZero();
            prev = a.owners();
        }
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> new ClusterHost("a", -1, Set.of(), true)).hasMessageContaining("maxCameras");
        assertThatThrownBy(() -> new CameraDemand("x", 0, Set.of(), Set.of())).hasMessageContaining("weight");
        assertThatThrownBy(() -> Placement.compute(hosts("a", "a"), List.of(), Map.of())).hasMessageContaining("hostName");
    }
}
