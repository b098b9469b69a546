package io.framebus.cluster.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** This host's membership in a framebus cluster (PID {@code io.framebus.cluster}, file {@code io.framebus.cluster.cfg}). */
@ObjectClassDefinition(id = ClusterConfig.PID, name = "framebus cluster",
        description = "Joins this runtime to a cluster of framebus runtimes that share one camera list; each camera "
                + "runs on exactly one live member. Membership, failure detection and split-brain merge are "
                + "Hazelcast's (embedded). Without this configuration the bundle does nothing.")
@interface ClusterConfig {
    String PID = "io.framebus.cluster";

    @AttributeDefinition(name = "Cluster name", description = "Members with another name never join each other.")
    String clusterName() default "framebus";

    @AttributeDefinition(name = "Host name", description = "This member's name, unique in the cluster and stable "
            + "across restarts (Kubernetes: the pod name). Shown wherever a camera's host is shown. Empty: the "
            + "machine's host name.", required = false)
    String hostName() default "";

    @AttributeDefinition(name = "Members", description = "TCP/IP join: addresses (host or host:port) of the members "
            + "to contact, this one may be included. Multicast is never used. Empty when kubernetesServiceDns is set.",
            required = false)
    String[] members() default {};

    @AttributeDefinition(name = "Kubernetes service DNS", description = "Instead of a member list: the headless "
            + "Service's DNS name (e.g. framebus.cameras.svc.cluster.local); members are found by DNS lookup.",
            required = false)
    String kubernetesServiceDns() default "";

    @AttributeDefinition(name = "Bind address", description = "The local address to listen on and to announce "
            + "(an IP of this host). Empty: Hazelcast picks one.", required = false)
    String bindAddress() default "";

    @AttributeDefinition(name = "Port", description = "The cluster port (TCP).", min = "1", max = "65535")
    int port() default 5701;

    @AttributeDefinition(name = "Labels", description = "Labels a camera's clusterHosts constraint may name "
            + "(e.g. gpu, site-a).", required = false)
    String[] labels() default {};

    @AttributeDefinition(name = "Maximum cameras", description = "Cameras this host may run, 0 = no limit. Keep it "
            + "at or below the manager's maxCameras.", min = "0")
    int maxCameras() default 0;

    @AttributeDefinition(name = "Weigh by pixels x fps", description = "Balance by width x height x fps of each "
            + "camera (unknown size: 1280x720, unknown rate: 25) instead of by count.")
    boolean weighByPixels() default false;

    @AttributeDefinition(name = "Heartbeat interval (s)", description = "How often members send heartbeats "
            + "(hazelcast.heartbeat.interval.seconds). 2 s gives two to three heartbeats per failure-detection "
            + "period at a third less CPU than 1 s (docs/benchmarks.md); keep it well below maxNoHeartbeatSeconds.",
            min = "1")
    int heartbeatIntervalSeconds() default 2;

    @AttributeDefinition(name = "Failure detection (s)", description = "A member silent this long is declared dead "
            + "and its cameras move (hazelcast.max.no.heartbeat.seconds). Lower: faster failover, more false alarms "
            + "under load.", min = "2")
    int maxNoHeartbeatSeconds() default 5;

    @AttributeDefinition(name = "Rebalance delay (s)", description = "A member that just joined takes cameras nobody "
            + "runs at once, but running cameras move to it only after it stayed this long: a flapping member makes "
            + "nothing bounce.", min = "0")
    int rebalanceDelaySeconds() default 10;

    @AttributeDefinition(name = "Merge check delay (s)", description = "How often a member looks for the other side "
            + "of a healed network partition (hazelcast.merge.first.run.delay.seconds and "
            + "hazelcast.merge.next.run.delay.seconds; Hazelcast's own defaults are 300 and 120 s). After the "
            + "merge, duplicates end: measured 1.7-6.2 s from the heal with 2 s, up to 9.2 s with 5 s "
            + "(docs/benchmarks.md).", min = "1")
    int mergeDelaySeconds() default 2;

    @AttributeDefinition(name = "Partition count", description = "Hazelcast's partition count "
            + "(hazelcast.partition.count). Must be the same on every member: a member with another count cannot "
            + "join. framebus keeps three small replicated maps and nothing partitioned, so few partitions do; "
            + "each one costs periodic work (replica and anti-entropy checks) on every member.", min = "1")
    int partitionCount() default 7;

    @AttributeDefinition(name = "Hazelcast metrics", description = "Whether Hazelcast collects its own metrics "
            + "(hazelcast.metrics.enabled; every 5 s). Only Hazelcast Management Center and its JMX beans read them; "
            + "framebus's metrics do not need them.")
    boolean hazelcastMetrics() default true;

    @AttributeDefinition(name = "More Hazelcast properties", description = "Further Hazelcast system properties "
            + "as name=value (e.g. hazelcast.operation.thread.count=1), applied last, so they win over the settings "
            + "above. Only names that start with hazelcast. are accepted.", required = false)
    String[] hazelcastProperties() default {};

    @AttributeDefinition(name = "Hazelcast log level", description = "java.util.logging level of Hazelcast's own log "
            + "(category com.hazelcast): WARNING keeps the console quiet; INFO shows its member lists and migrations. "
            + "framebus logs joins, departures and placements itself.")
    String hazelcastLogLevel() default "WARNING";
}
