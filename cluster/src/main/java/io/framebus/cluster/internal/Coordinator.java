package io.framebus.cluster.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the coordinator (the oldest member) computes from what every member published: which configuration of a
 * camera counts when hosts disagree, and then the {@link Placement}. Pure, like the placement itself.
 */
final class Coordinator {
    private Coordinator() {
    }

    /**
     * One live member and the camera configurations it has.
     *
     * @param cameras null when it has published nothing yet (it then runs nothing)
     */
    record MemberView(ClusterHost host, List<CameraEntry> cameras) {
    }

    static PublishedAssignment plan(String coordinator, List<MemberView> members, Map<String, String> previous,
                                    boolean weighByPixels) {
        // camera id -> fingerprint -> hosts that have that configuration
        Map<String, TreeMap<String, TreeSet<String>>> versions = new TreeMap<>();
        Map<String, CameraEntry> byFingerprint = new HashMap<>();
        for (MemberView m : members) {
            if (m.cameras() == null) {
                continue;
            }
            for (CameraEntry e : m.cameras()) {
                versions.computeIfAbsent(e.id(), k -> new TreeMap<>())
                        .computeIfAbsent(e.fingerprint(), k -> new TreeSet<>()).add(m.host().name());
                byFingerprint.putIfAbsent(e.fingerprint(), e);
            }
        }
        List<CameraDemand> demands = new ArrayList<>();
        SortedMap<String, String> conflicts = new TreeMap<>();
        versions.forEach((id, byFp) -> {
            // the configuration most hosts have wins; a tie goes to the smaller fingerprint (same on every member)
            Map.Entry<String, TreeSet<String>> chosen = byFp.entrySet().stream()
                    .max(Comparator.<Map.Entry<String, TreeSet<String>>>comparingInt(e -> e.getValue().size())
                            .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                    .orElseThrow();
            if (byFp.size() > 1) {
                List<String> groups = new ArrayList<>();
                byFp.values().forEach(hosts -> groups.add(String.join(",", hosts)));
                conflicts.put(id, "configuration differs between hosts (" + String.join(" | ", groups)
                        + "); it runs only on a host of " + String.join(",", chosen.getValue()));
            }
            CameraEntry e = byFingerprint.get(chosen.getKey());
            if (e.enabled()) {
                demands.add(new CameraDemand(id, weighByPixels ? e.weight() : 1, e.allowedOn(), chosen.getValue()));
            }
        });
        List<ClusterHost> hosts = members.stream().map(MemberView::host).toList();
        Assignment a = Placement.compute(hosts, demands, previous);
        return new PublishedAssignment(coordinator, a.owners(), a.unplaced(), conflicts);
    }

    static Set<String> hostNames(List<MemberView> members) {
        Set<String> out = new TreeSet<>();
        members.forEach(m -> out.add(m.host().name()));
        return out;
    }
}
