package io.framebus.cluster.internal;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The result of a placement.
 *
 * @param owners   camera id -> host name, for every camera that runs somewhere
 * @param unplaced camera id -> why no host may run it (never silently dropped)
 * @param moved    cameras that had a live owner before and have another one now (cameras of a departed host
 *                 are not counted: they had to move)
 */
public record Assignment(SortedMap<String, String> owners, SortedMap<String, String> unplaced, int moved) {

    public Assignment {
        owners = Collections.unmodifiableSortedMap(new TreeMap<>(owners));
        unplaced = Collections.unmodifiableSortedMap(new TreeMap<>(unplaced));
    }

    public static Assignment empty() {
        return new Assignment(new TreeMap<>(), new TreeMap<>(), 0);
    }

    /** Cameras per host, hosts without cameras included when listed in {@code hosts}. */
    public SortedMap<String, Integer> countsPerHost(Iterable<String> hosts) {
        SortedMap<String, Integer> counts = new TreeMap<>();
        hosts.forEach(h -> counts.put(h, 0));
        for (Map.Entry<String, String> e : owners.entrySet()) {
            counts.merge(e.getValue(), 1, Integer::sum);
        }
        return counts;
    }
}
