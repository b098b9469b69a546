package io.framebus.cluster.internal;

import java.util.Objects;
import java.util.Set;

/**
 * A live cluster member as placement sees it.
 *
 * @param name       the member's host name, unique in the cluster and stable across restarts (a restarted host
 *                   gets its cameras back only through rebalancing, never by a stale assignment)
 * @param maxCameras how many cameras it may run, 0 = no limit
 * @param labels     free-form labels a camera's constraint may name (e.g. {@code gpu}, {@code site-a})
 * @param settled    false while the member is new (joined less than the rebalance delay ago): it takes cameras
 *                   nobody runs, but no running camera is moved to it yet, so a flapping member moves nothing
 */
public record ClusterHost(String name, int maxCameras, Set<String> labels, boolean settled) {

    public ClusterHost {
        Objects.requireNonNull(name, "name");
        if (maxCameras < 0) {
            throw new IllegalArgumentException("host " + name + ": maxCameras must be >= 0 (0 = no limit), not " + maxCameras);
        }
        labels = Set.copyOf(labels);
    }

    /** A settled member without limit or labels. */
    public static ClusterHost of(String name) {
        return new ClusterHost(name, 0, Set.of(), true);
    }

    boolean hasRoomFor(int cameras) {
        return maxCameras == 0 || cameras < maxCameras;
    }
}
