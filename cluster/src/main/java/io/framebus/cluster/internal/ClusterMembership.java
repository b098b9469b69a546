package io.framebus.cluster.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import io.framebus.manager.placement.CameraHome;
import io.framebus.manager.placement.CameraPlacement;
import io.framebus.manager.placement.ClusterState;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * This runtime as a member of a framebus cluster: an embedded Hazelcast member, this host's camera list published
 * to the others, and, on the oldest member, the placement published to all.
 *
 * <p>Why one coordinator and a replicated map, not every member computing the placement by itself: the placement
 * is sticky, so its input includes the previous assignment, and members that saw different intermediate states
 * would compute different answers. The oldest member is unique in a (side of a) cluster, Hazelcast tells every
 * member who it is, and when it dies the next oldest takes over with the published assignment as its start. A
 * {@link ReplicatedMap} (not an IMap) because every member reads the whole placement on every camera lookup, and
 * because both sides of a network partition must keep a full copy to keep running (availability over
 * uniqueness); after the heal the merged cluster's coordinator recomputes, which ends the duplicates.
 */
@Component(service = {CameraPlacement.class, ConfigurationListener.class}, configurationPid = ClusterConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = ClusterConfig.class)
public final class ClusterMembership implements CameraPlacement, ConfigurationListener {
    /** member UUID -> SHA-256 of its camera list (the list itself is in {@link #LISTS_MAP}). */
    static final String MEMBERS_MAP = "framebus.members";
    /**
     * SHA-256 -> camera list. Hosts normally share one camera list, so the cluster holds it once, not once per
     * member (500 members with 10,000 cameras each would otherwise replicate 500 copies of a 1 MB list everywhere).
     */
    static final String LISTS_MAP = "framebus.cameraLists";
    /** What a member publishes instead of its digest while it leaves: place nothing on it any more. */
    static final String LEAVING = "leaving";
    static final String ASSIGNMENT_MAP = "framebus.assignment";
    static final String ASSIGNMENT_KEY = "assignment";
    static final String ATTR_HOST = "framebus.host";
    static final String ATTR_MAX = "framebus.maxCameras";
    static final String ATTR_LABELS = "framebus.labels";
    private static final String CAMERA_FACTORY_PID = "io.framebus.camera";
    /**
     * The work runs on events (membership, map entries, camera configurations, merge, a member's rebalance delay
     * ending); this round is only a safety net for an event lost (e.g. while a merge re-registers the listeners).
     * It was a 500 ms poll, 0.2-0.3 % of a core per member (docs/benchmarks.md).
     */
    static final long SAFETY_NET_MILLIS = 2000;

    private final Logger log;
    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final ClusterConfig config;
    private final String hostName;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService worker;
    /** When this member first saw each member (by UUID), for the rebalance delay; only used by the coordinator. */
    private final Map<String, Long> firstSeenNanos = new ConcurrentHashMap<>();
    private volatile HazelcastInstance hazelcast;
    /** Held so that the level stays set (java.util.logging keeps loggers weakly). */
    private final java.util.logging.Logger hazelcastLog = java.util.logging.Logger.getLogger("com.hazelcast");
    /**
     * Where Hazelcast reports its check for JVM options that open JDK internals to it, which framebus never
     * grants (a project rule): a warning at every start, with a command line to add, about the speed of its own
     * serialization, which does not matter at framebus's data size. No Hazelcast property turns the check off; this
     * one message is filtered out while Hazelcast's log is at WARNING or quieter, and shown at INFO and below
     * (docs/cluster.md). Every other record of the category passes.
     */
    private final java.util.logging.Logger instanceFactoryLog =
            java.util.logging.Logger.getLogger("com.hazelcast.instance.impl.HazelcastInstanceFactory");
    static final String MODULE_ACCESS_WARNING = "Hazelcast is starting in a Java modular environment";
    private final java.util.logging.Filter moduleAccessFilter =
            r -> r.getMessage() == null || !r.getMessage().startsWith(MODULE_ACCESS_WARNING);
    private volatile PublishedAssignment current = PublishedAssignment.NONE;
    private volatile boolean wasCoordinator;
    /** Parsed camera lists by digest (coordinator only). */
    private final Map<String, List<CameraEntry>> parsedLists = new HashMap<>();
    /** The inputs of the last computation whose result is already published (coordinator only). */
    private String lastInputs;
    private volatile boolean closed;
    /** A round is queued (events in a burst make one round). */
    private final java.util.concurrent.atomic.AtomicBoolean queued = new java.util.concurrent.atomic.AtomicBoolean();
    /** When the pending wake-up for a member's rebalance delay fires (System.nanoTime), 0 when none. */
    private volatile long wakeAtNanos;

    @Activate
    public ClusterMembership(@Reference(service = LoggerFactory.class) Logger log,
                             @Reference ConfigurationAdmin configAdmin, BundleContext context, ClusterConfig config)
            throws IOException {
        this.log = log;
        this.configAdmin = configAdmin;
        this.config = config;
        this.hostName = config.hostName().isBlank() ? InetAddress.getLocalHost().getHostName() : config.hostName().trim();
        if (hostName.contains("\t") || hostName.contains("\n")) {
            throw new IllegalArgumentException("io.framebus.cluster: hostName must not contain tabs or line breaks");
        }
        if (list(config.members()).isEmpty() && config.kubernetesServiceDns().isBlank()) {
            throw new IllegalArgumentException("io.framebus.cluster: set members (the addresses of the members to "
                    + "contact) or kubernetesServiceDns; multicast discovery is never used");
        }
        hazelcastProperties(config.hazelcastProperties()); // a bad entry fails the activation, with its reason
        try {
            java.util.logging.Level level = java.util.logging.Level.parse(config.hazelcastLogLevel().trim());
            hazelcastLog.setLevel(level);
            if (level.intValue() >= java.util.logging.Level.WARNING.intValue()) {
                instanceFactoryLog.setFilter(moduleAccessFilter);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("io.framebus.cluster: hazelcastLogLevel '" + config.hazelcastLogLevel()
                    + "' is not a java.util.logging level (SEVERE, WARNING, INFO, FINE, ...)");
        }
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "framebus-cluster");
            t.setDaemon(true);
            return t;
        });
        // joining takes seconds (the join wait, TCP connects): off the activation thread
        worker.execute(this::join);
        this.context = context;
        context.addBundleListener(frameworkStopping);
    }

    /**
     * The framework stops (SIGTERM, Ctrl-C, shutdown): leave the cluster at once, before the manager stops its
     * cameras one by one, so the others take them over while this host is still stopping (a moment of two hosts
     * reading a camera rather than a gap).
     */
    private final SynchronousBundleListener frameworkStopping = event -> {
        if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == Constants.SYSTEM_BUNDLE_ID) {
            Thread leaver = new Thread(this::leave, "framebus-cluster-leave");
            leaver.setDaemon(true);
            leaver.start();
        }
    };

    private void join() {
        Config hz = hazelcastConfig();
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        // Hazelcast looks up its own services (ServiceLoader) through the context class loader: give it its bundle's
        Thread.currentThread().setContextClassLoader(Hazelcast.class.getClassLoader());
        HazelcastInstance instance;
        try {
            instance = Hazelcast.newHazelcastInstance(hz);
        } catch (RuntimeException e) {
            log.error("cluster: cannot start the Hazelcast member ({}); no camera runs here until this is fixed", e.toString(), e);
            return;
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
        if (closed) {
            instance.shutdown();
            return;
        }
        hazelcast = instance;
        instance.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
                log.info("cluster: member {} joined ({})", e.getMember().getAttribute(ATTR_HOST), e.getMember().getAddress());
                soon();
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
                log.warn("cluster: member {} left ({})", e.getMember().getAttribute(ATTR_HOST), e.getMember().getAddress());
                soon();
            }
        });
        instance.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
                log.warn("cluster: merged with the other side of a network partition");
                soon();
            }
        });
        // the placement (all follow it), a member's camera-list digest and the lists (the coordinator computes)
        for (String map : new String[] {ASSIGNMENT_MAP, MEMBERS_MAP, LISTS_MAP}) {
            instance.<String, String>getReplicatedMap(map).addEntryListener(new com.hazelcast.core.EntryAdapter<String, String>() {
                @Override
                public void onEntryEvent(com.hazelcast.core.EntryEvent<String, String> event) {
                    soon();
                }
            });
        }
        log.info("cluster: {} joined cluster '{}' as {} with {} member(s)", hostName, config.clusterName(),
                instance.getCluster().getLocalMember().getAddress(), instance.getCluster().getMembers().size());
        worker.scheduleWithFixedDelay(this::step, 0, SAFETY_NET_MILLIS, TimeUnit.MILLISECONDS);
    }

    private Config hazelcastConfig() {
        Config c = new Config();
        c.setClusterName(config.clusterName());
        c.setInstanceName("framebus-" + hostName);
        c.setClassLoader(getClass().getClassLoader());
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "jdk");
        c.setProperty("hazelcast.health.monitoring.level", "OFF");
        // the framework's stop (SIGTERM included) shuts the member down gracefully, in order; no hook of its own
        c.setProperty("hazelcast.shutdownhook.enabled", "false");
        c.setProperty("hazelcast.graceful.shutdown.max.wait", "10");
        c.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(config.heartbeatIntervalSeconds()));
        c.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(config.maxNoHeartbeatSeconds()));
        c.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(config.mergeDelaySeconds()));
        c.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(config.mergeDelaySeconds()));
        // how long a starting member looks for the others before it starts a cluster of its own (and runs every
        // camera until the split-brain merge finds them): 3 s, up to 10 s while others answer (Hazelcast: 5 and
        // 20). Shorter made restarted members under load start alone and duplicate cameras for a merge period.
        c.setProperty("hazelcast.wait.seconds.before.join", "3");
        c.setProperty("hazelcast.max.wait.seconds.before.join", "10");
        c.setProperty("hazelcast.partition.count", Integer.toString(config.partitionCount()));
        c.getMetricsConfig().setEnabled(config.hazelcastMetrics());
        c.getMemberAttributeConfig().setAttribute(ATTR_HOST, hostName);
        c.getMemberAttributeConfig().setAttribute(ATTR_MAX, Integer.toString(config.maxCameras()));
        c.getMemberAttributeConfig().setAttribute(ATTR_LABELS, String.join(",", list(config.labels())));
        // after a partition heals, the smaller side joins the larger one: the larger side's placement is kept
        // (put-if-absent: the merging side's copy does not overwrite it), so its cameras stay where they run and
        // the smaller side's duplicates end; the coordinator then recomputes with every member. Members re-publish
        // their own camera lists every round, so nothing of the smaller side's copy is needed.
        for (String map : new String[] {MEMBERS_MAP, LISTS_MAP, ASSIGNMENT_MAP}) {
            c.getReplicatedMapConfig(map).setMergePolicyConfig(
                    new MergePolicyConfig(PutIfAbsentMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE));
        }
        NetworkConfig net = c.getNetworkConfig();
        net.setPort(config.port()).setPortAutoIncrement(false);
        if (!config.bindAddress().isBlank()) {
            c.setProperty("hazelcast.socket.bind.any", "false");
            net.getInterfaces().setEnabled(true).addInterface(config.bindAddress().trim());
            net.setPublicAddress(config.bindAddress().trim() + ":" + config.port());
        }
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (!config.kubernetesServiceDns().isBlank()) {
            join.getTcpIpConfig().setEnabled(false);
            join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", config.kubernetesServiceDns().trim());
        } else {
            join.getTcpIpConfig().setEnabled(true).setMembers(list(config.members()))
                    .setConnectionTimeoutSeconds(2);
        }
        hazelcastProperties(config.hazelcastProperties()).forEach(c::setProperty); // last: they win
        return c;
    }

    @Deactivate
    void deactivate() {
        try {
            context.removeBundleListener(frameworkStopping);
        } catch (IllegalStateException stopping) {
            // the bundle's context is gone already
        }
        leave();
        if (instanceFactoryLog.getFilter() == moduleAccessFilter) {
            instanceFactoryLog.setFilter(null); // the logger outlives this bundle; its filter must not
        }
    }

    private synchronized void leave() {
        closed = true;
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        HazelcastInstance instance = hazelcast;
        if (instance != null && instance.getLifecycleService().isRunning()) {
            handOver(instance);
        }
        hazelcast = null;
        if (instance != null) {
            // graceful: the others learn at once that this member left
            instance.shutdown();
            log.info("cluster: {} left cluster '{}'", hostName, config.clusterName());
        }
    }

    /**
     * Hands this member's cameras over before Hazelcast's own graceful shutdown (which syncs partition replicas
     * first and took seconds under load): mark this member as leaving, and when it is the coordinator, publish the
     * placement without it at once; otherwise the coordinator does so on the map event.
     */
    private void handOver(HazelcastInstance hz) {
        try {
            membersMap().put(hz.getCluster().getLocalMember().getUuid().toString(), LEAVING);
            List<Member> members = new ArrayList<>(hz.getCluster().getMembers());
            if (!members.isEmpty() && members.get(0).localMember() && members.size() > 1) {
                coordinate(hz, members);
            }
        } catch (RuntimeException e) {
            log.warn("cluster: handing the cameras over before leaving failed ({}); the others take them when "
                    + "this member has left", e.toString());
        }
    }

    private void soon() {
        if (!queued.compareAndSet(false, true)) {
            return; // a round is queued already: it sees this change too
        }
        try {
            worker.execute(this::step);
        } catch (RejectedExecutionException stopping) {
            // deactivated
        }
    }

    /** The coordinator runs a round when a member's rebalance delay ends (worker thread only). */
    private void wakeIn(long nanos) {
        long at = System.nanoTime() + nanos;
        if (wakeAtNanos != 0 && wakeAtNanos - at <= 0 && wakeAtNanos - System.nanoTime() > 0) {
            return; // an earlier wake-up is pending; it schedules the next one
        }
        wakeAtNanos = at;
        try {
            worker.schedule(() -> {
                wakeAtNanos = 0;
                step();
            }, nanos + TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            // deactivated
        }
    }

    /** One round: publish this host's cameras, compute the placement when coordinator, follow the published one. */
    private void step() {
        queued.set(false);
        HazelcastInstance hz = hazelcast;
        if (hz == null || closed || !hz.getLifecycleService().isRunning()) {
            return;
        }
        try {
            publishOwnCameras(hz);
            List<Member> members = new ArrayList<>(hz.getCluster().getMembers());
            boolean coordinator = !members.isEmpty() && members.get(0).localMember();
            if (coordinator) {
                if (!wasCoordinator) {
                    // a new coordinator knows nothing of join times: it treats the members it finds as settled
                    long settledAt = System.nanoTime() - TimeUnit.SECONDS.toNanos(config.rebalanceDelaySeconds());
                    members.forEach(m -> firstSeenNanos.putIfAbsent(m.getUuid().toString(), settledAt));
                    log.info("cluster: {} is the coordinator (computes the placement)", hostName);
                }
                coordinate(hz, members);
            }
            wasCoordinator = coordinator;
            follow(hz);
        } catch (RuntimeException e) {
            if (!closed) {
                log.warn("cluster: {}", e.toString(), e);
            }
        }
    }

    private void publishOwnCameras(HazelcastInstance hz) {
        StringBuilder sb = new StringBuilder();
        for (CameraEntry e : localCameras()) {
            sb.append(e.line()).append('\n');
        }
        String uuid = hz.getCluster().getLocalMember().getUuid().toString();
        String text = sb.toString();
        String digest = CameraEntry.sha256(text);
        ReplicatedMap<String, String> lists = hz.getReplicatedMap(LISTS_MAP);
        if (!lists.containsKey(digest)) {
            lists.put(digest, text);
        }
        ReplicatedMap<String, String> map = membersMap();
        if (!digest.equals(map.get(uuid))) {
            map.put(uuid, digest);
        }
    }

    private List<CameraEntry> localCameras() {
        List<CameraEntry> out = new ArrayList<>();
        try {
            Configuration[] configs = configAdmin.listConfigurations(
                    "(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + CAMERA_FACTORY_PID + ")");
            if (configs != null) {
                for (Configuration c : configs) {
                    Dictionary<String, Object> props = c.getProperties();
                    CameraEntry e = props == null ? null : CameraEntry.of(props);
                    if (e != null) {
                        out.add(e);
                    }
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            log.warn("cluster: cannot list the camera configurations: {}", e.toString());
        }
        return out;
    }

    private void coordinate(HazelcastInstance hz, List<Member> members) {
        ReplicatedMap<String, String> published = membersMap();
        ReplicatedMap<String, String> lists = hz.getReplicatedMap(LISTS_MAP);
        StringBuilder inputs = new StringBuilder();
        long now = System.nanoTime();
        long delay = TimeUnit.SECONDS.toNanos(config.rebalanceDelaySeconds());
        Set<String> live = new HashSet<>();
        Set<String> names = new HashSet<>();
        List<Coordinator.MemberView> views = new ArrayList<>();
        for (Member m : members) {
            String uuid = m.getUuid().toString();
            live.add(uuid);
            String name = m.getAttribute(ATTR_HOST);
            if (LEAVING.equals(published.get(uuid))) {
                continue; // leaving: its cameras go to the others now
            }
            if (name == null || !names.add(name)) {
                log.error("cluster: member {} has the host name {} of another member; it gets no cameras", m.getAddress(), name);
                continue;
            }
            long seen = firstSeenNanos.computeIfAbsent(uuid, k -> now);
            boolean settled = now - seen >= delay;
            if (!settled) {
                wakeIn(seen + delay - now); // then it may take running cameras
            }
            ClusterHost host = new ClusterHost(name, parseInt(m.getAttribute(ATTR_MAX)), labels(m.getAttribute(ATTR_LABELS)),
                    settled);
            String digest = published.get(uuid);
            List<CameraEntry> cams = digest == null ? null : parsedLists.computeIfAbsent(digest, d -> parse(lists.get(d)));
            views.add(new Coordinator.MemberView(host, cams));
            inputs.append(uuid).append(host).append(digest).append(cams != null).append('\n');
        }
        firstSeenNanos.keySet().retainAll(live);
        Set<String> digests = new HashSet<>();
        for (String key : published.keySet()) {
            if (!live.contains(key)) {
                published.remove(key); // a departed member's entry
            } else if (!LEAVING.equals(published.get(key))) {
                digests.add(published.get(key));
            }
        }
        for (String digest : lists.keySet()) {
            if (!digests.contains(digest)) {
                lists.remove(digest); // a list no live member has any more
            }
        }
        parsedLists.keySet().retainAll(digests);
        ReplicatedMap<String, String> assignment = assignmentMap();
        String before = assignment.get(ASSIGNMENT_KEY);
        inputs.append(before);
        if (inputs.toString().equals(lastInputs)) {
            return; // nothing changed since the last computation: it would give the same answer
        }
        PublishedAssignment previous = PublishedAssignment.decode(before);
        PublishedAssignment next = Coordinator.plan(hostName, views, previous.owners(), config.weighByPixels());
        String text = next.encode();
        lastInputs = text.equals(before) ? inputs.toString() : null;
        if (!text.equals(before)) {
            assignment.put(ASSIGNMENT_KEY, text);
            int moved = 0;
            for (Map.Entry<String, String> e : next.owners().entrySet()) {
                String was = previous.owners().get(e.getKey());
                if (was != null && !was.equals(e.getValue()) && names.contains(was)) {
                    moved++;
                }
            }
            log.info("cluster: placement published: {} camera(s) on {} member(s), {} moved between live members, "
                    + "{} unplaced, {} with differing configurations", next.owners().size(), views.size(), moved,
                    next.unplaced().size(), next.conflicts().size());
        }
    }

    /** A published camera list; null while it has not arrived (the member then counts as having published nothing). */
    private static List<CameraEntry> parse(String text) {
        if (text == null) {
            return null;
        }
        List<CameraEntry> cams = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                cams.add(CameraEntry.parse(line));
            }
        }
        return cams;
    }

    private void follow(HazelcastInstance hz) {
        PublishedAssignment next = PublishedAssignment.decode(assignmentMap().get(ASSIGNMENT_KEY));
        if (!next.equals(current)) {
            current = next;
            for (Runnable l : listeners) {
                try {
                    l.run();
                } catch (RuntimeException e) {
                    log.warn("cluster: placement listener failed: {}", e.toString(), e);
                }
            }
        }
    }

    private ReplicatedMap<String, String> membersMap() {
        return hazelcast.getReplicatedMap(MEMBERS_MAP);
    }

    private ReplicatedMap<String, String> assignmentMap() {
        return hazelcast.getReplicatedMap(ASSIGNMENT_MAP);
    }

    /** A list property: given as a list, or as one comma-separated string (what a .cfg line easily holds). */
    static List<String> list(String[] values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            for (String part : v.split("[,\\s]+")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    /** hazelcastProperties: name=value pairs; a clear error for anything else. */
    static Map<String, String> hazelcastProperties(String[] values) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String v : values) {
            for (String part : v.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                int eq = part.indexOf('=');
                String name = eq < 0 ? "" : part.substring(0, eq).trim();
                if (!name.matches("hazelcast\\.[A-Za-z0-9_.-]+") || part.substring(eq + 1).isBlank()) {
                    throw new IllegalArgumentException("io.framebus.cluster: hazelcastProperties entry '" + part.trim()
                            + "' is not name=value with a name that starts with hazelcast.");
                }
                out.put(name, part.substring(eq + 1).trim());
            }
        }
        return out;
    }

    private static int parseInt(String s) {
        try {
            return s == null ? 0 : Math.max(0, Integer.parseInt(s));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Set<String> labels(String s) {
        Set<String> out = new HashSet<>();
        if (s != null) {
            for (String l : s.split(",")) {
                if (!l.isBlank()) {
                    out.add(l.trim());
                }
            }
        }
        return out;
    }

    // ---- CameraPlacement

    @Override
    public CameraHome home(String cameraId) {
        PublishedAssignment a = current;
        String owner = a.owners().get(cameraId);
        if (owner != null) {
            return owner.equals(hostName) ? CameraHome.here(hostName) : CameraHome.elsewhere(owner);
        }
        String why = a.unplaced().get(cameraId);
        if (why != null) {
            return CameraHome.nowhere(why);
        }
        return CameraHome.nowhere(hazelcast == null ? "joining the cluster" : "not placed yet");
    }

    @Override
    public void addListener(Runnable onChange) {
        listeners.add(onChange);
    }

    @Override
    public void removeListener(Runnable onChange) {
        listeners.remove(onChange);
    }

    @Override
    public ClusterState cluster() {
        PublishedAssignment a = current;
        HazelcastInstance hz = hazelcast;
        Map<String, List<String>> byHost = new HashMap<>();
        a.owners().forEach((cam, host) -> byHost.computeIfAbsent(host, k -> new ArrayList<>()).add(cam));
        List<ClusterState.Member> members = new ArrayList<>();
        String role = "joining";
        if (hz != null && hz.getLifecycleService().isRunning()) {
            boolean first = true;
            for (Member m : hz.getCluster().getMembers()) {
                String host = m.getAttribute(ATTR_HOST);
                members.add(new ClusterState.Member(host, m.getAddress().getHost() + ":" + m.getAddress().getPort(), first,
                        parseInt(m.getAttribute(ATTR_MAX)), List.copyOf(new java.util.TreeSet<>(labels(m.getAttribute(ATTR_LABELS)))),
                        List.copyOf(byHost.getOrDefault(host, List.of()))));
                if (m.localMember()) {
                    role = first ? "coordinator" : "member";
                }
                first = false;
            }
        }
        SortedMap<String, String> owners = new TreeMap<>(a.owners());
        return new ClusterState(config.clusterName(), hostName, role, List.copyOf(members), owners,
                new TreeMap<>(a.unplaced()), new TreeMap<>(a.conflicts()));
    }

    // ---- ConfigurationListener: a camera configuration changed here, publish at once

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (CAMERA_FACTORY_PID.equals(event.getFactoryPid())) {
            soon();
        }
    }

    String hostName() {
        return hostName;
    }

}
