package io.framebus.karaf;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import io.framebus.api.FrameSource;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.service.cm.Configuration;

/**
 * The framebus-cluster feature in a real Karaf 4.4: Hazelcast and the cluster bundle resolve and start from the
 * features file, the host forms a cluster of one on the loopback (TCP/IP join to itself, never multicast), the
 * placement starts the camera that {@code requirePlacement} held back, {@code framebus:cluster} shows it, and
 * {@code feature:uninstall framebus-cluster} leaves the cluster: Hazelcast's threads and port are gone and, with
 * {@code requirePlacement}, the camera stops. The members talking over a real network is ClusterIT's (Felix, network
 * namespaces); this is the Karaf packaging of the same bundle.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class ClusterFeatureIT extends KarafTestSupport {
    private static final String CLUSTER_FEATURE = "framebus-cluster";
    private static final String PORT = "framebus.it.cluster.port";

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        String port = Integer.toString(freePort());
        List<Option> opts = new ArrayList<>(Arrays.asList(baseOptions()));
        String cfg = "etc/io.framebus.cluster.cfg";
        opts.add(editConfigurationFilePut(cfg, "clusterName", "karaf-it-" + UUID.randomUUID().toString().substring(0, 8)));
        opts.add(editConfigurationFilePut(cfg, "hostName", "karaf1"));
        opts.add(editConfigurationFilePut(cfg, "members", "127.0.0.1:" + port));
        opts.add(editConfigurationFilePut(cfg, "bindAddress", "127.0.0.1"));
        opts.add(editConfigurationFilePut(cfg, "port", port));
        opts.add(editConfigurationFilePut("etc/io.framebus.manager.cfg", "requirePlacement", "true"));
        opts.add(CoreOptions.systemProperty(PORT).value(port));
        return opts.toArray(new Option[0]);
    }

    @Test
    public void theClusterFeaturePlacesTheCameraHereAndUninstallLeavesTheCluster() throws Exception {
        installFramebus();
        Configuration config = addCamera("lobby", camera.url());

        // requirePlacement without the cluster: the camera is known, waits for a placement, runs nowhere
        String waiting = waitForValue(Duration.ofSeconds(30), "lobby listed as UNPLACED", () -> {
            String list = shellQuietly("framebus:list");
            return list.contains("lobby") && list.contains("UNPLACED") ? list : null;
        });
        assertTrue(waiting, FrameSources.ref(context, "lobby") == null);
        // (the manager's class-data archive dump, a short-lived capture JVM, may still run: wait for it)
        waitFor(Duration.ofSeconds(60), "no capture process but the standby before the cluster placed the camera",
                () -> captureProcesses().stream().allMatch(p -> p.info().commandLine()
                        .map(c -> c.contains("-Dframebus.standby=true")).orElse(false)));
        assertFalse("no ring for lobby before the cluster placed it",
                java.nio.file.Files.exists(ringDirectory.resolve("lobby.ring")));

        features.installFeature(CLUSTER_FEATURE);
        assertTrue("feature framebus-cluster installed", features.isInstalled(features.getFeature(CLUSTER_FEATURE)));
        FrameSource lobby = FrameSources.await(context, "lobby");
        assertTrue("frames once the cluster placed the camera here",
                lobby.next(null, Duration.ofSeconds(30)).isPresent());
        long pid = FrameSources.awaitPid(lobby);

        String cluster = waitForValue(Duration.ofSeconds(30), "framebus:cluster with lobby placed", () -> {
            String out = shellQuietly("framebus:cluster");
            return out.contains("1 camera(s) placed") ? out : null;
        });
        assertTrue(cluster, cluster.contains("this host karaf1 (coordinator), 1 member(s)"));
        String port = System.getProperty(PORT);
        String row = cluster.lines().filter(l -> l.startsWith("karaf1 ")).findFirst().orElse("");
        assertTrue(cluster, row.contains("127.0.0.1:" + port) && row.endsWith("lobby"));
        assertTrue("Hazelcast listens on 127.0.0.1:" + port, listening(Integer.parseInt(port)));
        assertFalse("Hazelcast threads run", hazelcastThreads().isEmpty());

        // leaving: this host has no placement any more, so with requirePlacement it runs nothing
        features.uninstallFeature(CLUSTER_FEATURE, EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles));
        waitFor(Duration.ofSeconds(30), "FrameSource lobby gone", () -> FrameSources.ref(context, "lobby") == null);
        waitFor(Duration.ofSeconds(30), "capture process " + pid + " gone",
                () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        waitFor(Duration.ofSeconds(30), "lobby listed as UNPLACED again",
                () -> shellQuietly("framebus:list").contains("UNPLACED"));
        waitFor(Duration.ofSeconds(30), "no Hazelcast thread left after feature:uninstall",
                () -> hazelcastThreads().isEmpty());
        assertFalse("nothing listens on the cluster port after feature:uninstall", listening(Integer.parseInt(port)));
        assertFalse("framebus:cluster went with the bundle", shellQuietly("framebus:cluster").contains("this host"));
        config.delete();
    }

    private String shellQuietly(String command) {
        try {
            return shell(command).console();
        } catch (Exception e) {
            return ""; // the command is not (or no longer) registered
        }
    }

    /** Threads of this JVM that Hazelcast names: hz.<instance>.<what> */
    private static List<String> hazelcastThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("hz.")).collect(Collectors.toList());
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (java.io.IOException refused) {
            return false;
        }
    }
}
