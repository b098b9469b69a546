package io.framebus.cluster.internal;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The placement as the coordinator publishes it to every member: plain text in one replicated-map entry, so that
 * no class of ours has to be deserialized by Hazelcast (whose class loading in OSGi is its own).
 *
 * @param coordinator the host that computed it
 * @param owners      camera id -> host
 * @param unplaced    camera id -> reason
 * @param conflicts   camera id -> which hosts' configurations differ
 */
record PublishedAssignment(String coordinator, SortedMap<String, String> owners, SortedMap<String, String> unplaced,
                           SortedMap<String, String> conflicts) {

    static final PublishedAssignment NONE = new PublishedAssignment("", new TreeMap<>(), new TreeMap<>(), new TreeMap<>());

    String encode() {
        StringBuilder sb = new StringBuilder("coordinator\t").append(coordinator).append('\n');
        append(sb, "owner", owners);
        append(sb, "unplaced", unplaced);
        append(sb, "conflict", conflicts);
        return sb.toString();
    }

    private static void append(StringBuilder sb, String kind, Map<String, String> m) {
        m.forEach((k, v) -> sb.append(kind).append('\t').append(k).append('\t').append(v.replace('\n', ' ')).append('\n'));
    }

    static PublishedAssignment decode(String text) {
        if (text == null || text.isEmpty()) {
            return NONE;
        }
        String coordinator = "";
        SortedMap<String, String> owners = new TreeMap<>();
        SortedMap<String, String> unplaced = new TreeMap<>();
        SortedMap<String, String> conflicts = new TreeMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.split("\t", 3);
            switch (f[0]) {
                case "coordinator" -> coordinator = f[1];
                case "owner" -> owners.put(f[1], f[2]);
                case "unplaced" -> unplaced.put(f[1], f[2]);
                case "conflict" -> conflicts.put(f[1], f[2]);
                default -> { } // a newer member's addition: ignored
            }
        }
        return new PublishedAssignment(coordinator, owners, unplaced, conflicts);
    }
}
