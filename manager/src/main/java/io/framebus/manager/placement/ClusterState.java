package io.framebus.manager.placement;

import java.util.List;
import java.util.SortedMap;

/**
 * What a cluster member knows about the cluster, for the {@code framebus:cluster} command and
 * {@code GET /framebus/api/cluster}.
 *
 * @param clusterName the cluster's name
 * @param thisHost    this member's host name
 * @param role        {@code coordinator} (the oldest member: it computes the placement), {@code member}, or
 *                    {@code joining} (not in a cluster yet)
 * @param members     the live members, oldest first
 * @param owners      camera id -> host that runs it
 * @param unplaced    camera id -> why no host runs it
 * @param conflicts   camera id -> which hosts' configurations of it differ (it runs where most hosts agree)
 */
public record ClusterState(String clusterName, String thisHost, String role, List<Member> members,
                           SortedMap<String, String> owners, SortedMap<String, String> unplaced,
                           SortedMap<String, String> conflicts) {

    /**
     * One live member.
     *
     * @param host        its host name
     * @param address     its cluster address (host:port)
     * @param coordinator whether it computes the placement
     * @param maxCameras  its limit, 0 = none
     * @param labels      its labels
     * @param cameras     the cameras it runs, sorted
     */
    public record Member(String host, String address, boolean coordinator, int maxCameras, List<String> labels,
                         List<String> cameras) {
    }
}
