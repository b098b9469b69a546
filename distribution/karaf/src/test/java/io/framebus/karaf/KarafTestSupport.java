package io.framebus.karaf;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.After;
import org.junit.Before;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * What the Karaf integration tests share: one {@link #baseOptions()} (a real Karaf 4.4 distribution unpacked from
 * the local Maven repository, resolving everything offline), the framebus feature installed from the features
 * file this module builds, the RTSP test camera, shell commands, waiting for conditions, and the processes and
 * ring files a test must not leave behind.
 *
 * <p>The test methods run inside Karaf (in the Pax Exam probe bundle); {@link #baseOptions()} runs in the
 * failsafe JVM and hands what the probe needs over as system properties of the Karaf JVM. No field or method
 * signature of a test class may name an io.framebus.api type: see {@link FrameSources}.
 */
public abstract class KarafTestSupport {
    static final String FEATURE = "framebus";
    static final String CAMERA_PID = "io.framebus.camera";
    private static final String RING_DIRECTORY = "framebus.it.ringDirectory";
    private static final String FEATURES_FILE = "framebus.features";

    @Inject
    protected BundleContext context;

    @Inject
    protected FeaturesService features;

    @Inject
    protected ConfigurationAdmin configAdmin;

    @Inject
    protected SessionFactory sessionFactory;

    protected Path ringDirectory;
    protected Path karafBase;
    protected RtspServer camera;
    private URI featuresRepository;

    /**
     * The option list of every test. Karaf resolves offline: its own system/ folder, then the folder this build
     * filled with our bundles and the capture program's jars (target/framebus-repo, so {@code mvn verify} works
     * before anything was installed), then the local repository (Pax Exam's own bundles); no remote repository.
     */
    public static Option[] baseOptions() {
        String karafVersion = required("framebus.karaf.version");
        String localRepository = required("org.ops4j.pax.url.mvn.localRepository");
        String framebusRepository = new File(required("framebus.repo")).toURI().toString();
        // one fresh ring directory per Karaf, removed by the tests; the manager creates it (rwx------)
        String rings = "/dev/shm/framebus-karaf-it-" + UUID.randomUUID().toString().substring(0, 8);
        String mvnCfg = "etc/org.ops4j.pax.url.mvn.cfg";
        String httpPort = Integer.toString(freePort());
        List<Option> opts = new ArrayList<>(List.of(
                karafDistributionConfiguration()
                        .frameworkUrl(maven().groupId("org.apache.karaf").artifactId("apache-karaf")
                                .type("tar.gz").version(karafVersion))
                        .karafVersion(karafVersion)
                        .name("Apache Karaf")
                        .unpackDirectory(new File(required("framebus.test.tmp"), "karaf"))
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                logLevel(LogLevel.INFO),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.localRepository", localRepository),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.defaultRepositories",
                        "${karaf.home.uri}${karaf.default.repository}@id=system.repository@snapshots,"
                                + framebusRepository + "@id=framebus-local@snapshots"),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.repositories", ""),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.useFallbackRepositories", "false"),
                editConfigurationFilePut("etc/io.framebus.manager.cfg", "ringDirectory", rings),
                // pax-web for feature framebus-web: a free port, on the loopback interface only
                editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", httpPort),
                editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.ops4j.pax.web.listening.addresses", "127.0.0.1"),
                systemProperty(HTTP_PORT).value(httpPort),
                // FFmpeg's natives and the capture class-data archives under target/, not in the shared /tmp
                editConfigurationFilePut("etc/io.framebus.manager.cfg", "nativeCacheDirectory",
                        new File(required("framebus.test.tmp"), "javacpp-cache").getAbsolutePath()),
                systemProperty(RING_DIRECTORY).value(rings),
                systemProperty(FEATURES_FILE).value(new File(required(FEATURES_FILE)).toURI().toString()),
                systemProperty("framebus.rtsp.server").value(required("framebus.rtsp.server")),
                // what bin/karaf adds on Java 9+; Pax Exam starts the JVM itself and adds none of it
                vmOptions("--add-reads=java.xml=java.logging",
                        "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                        "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karafVersion + ".jar",
                        "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karafVersion + ".jar",
                        "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                        "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                        "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED")));
        if (Boolean.getBoolean("framebus.karaf.keep")) {
            opts.add(keepRuntimeFolder()); // -Dframebus.karaf.keep=true: look at data/log/karaf.log afterwards
        }
        return options(opts.toArray(new Option[0]));
    }

    /** System property (inside Karaf) with pax-web's HTTP port. */
    protected static final String HTTP_PORT = "framebus.it.http.port";

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String required(String key) {
        String value = System.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + key + " is not set (failsafe sets it; see pom.xml)");
        }
        return value;
    }

    @Before
    public void startCameraAndLocateKaraf() throws IOException {
        karafBase = Paths.get(System.getProperty("karaf.base"));
        ringDirectory = Paths.get(System.getProperty(RING_DIRECTORY));
        featuresRepository = URI.create(System.getProperty(FEATURES_FILE));
        camera = RtspServer.start(System.getProperty("framebus.rtsp.server"), 640, 480);
    }

    @After
    public void leaveNothingBehind() throws Exception {
        try {
            Feature framebus = features.getFeature(FEATURE);
            if (framebus != null && features.isInstalled(framebus)) {
                uninstallFramebus();
            }
            waitFor(Duration.ofSeconds(30), "no capture process of this Karaf", () -> captureProcesses().isEmpty());
        } finally {
            camera.close();
            deleteRecursively(ringDirectory);
        }
    }

    /** A camera configuration (factory PID io.framebus.camera, named {@code id}) for {@code url} at 5 fps. */
    protected org.osgi.service.cm.Configuration addCamera(String id, String url) throws IOException {
        org.osgi.service.cm.Configuration config = configAdmin.getFactoryConfiguration(CAMERA_PID, id, "?");
        java.util.Dictionary<String, Object> props = new java.util.Hashtable<>();
        props.put("id", id);
        props.put("url", url);
        props.put("fps", 5);
        config.update(props);
        return config;
    }

    /** feature:repo-add of the features file this module built, then feature:install framebus. */
    protected void installFramebus() throws Exception {
        features.addRepository(featuresRepository);
        features.installFeature(FEATURE);
        assertTrue("feature framebus installed", features.isInstalled(features.getFeature(FEATURE)));
    }

    /**
     * feature:uninstall framebus. Without the automatic refresh: the probe bundle running this test imports
     * io.framebus.api dynamically, so a refresh would restart the test itself; the framebus bundles are stopped
     * and uninstalled either way, which is what ends the cameras.
     */
    protected void uninstallFramebus() throws Exception {
        features.uninstallFeature(FEATURE, EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles));
        features.removeRepository(featuresRepository);
    }

    /** Capture processes started by this Karaf: their class path is under its karaf.base. */
    protected List<ProcessHandle> captureProcesses() {
        String home = karafBase.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine()
                        .map(c -> c.contains("io.framebus.capture.CaptureMain") && c.contains(home)).orElse(false))
                .collect(Collectors.toList());
    }

    protected List<Path> ringFiles() {
        try (Stream<Path> s = Files.list(ringDirectory).filter(p -> !p.getFileName().toString()
                .equals(".framebus-manager.lock"))) { // the manager's lock while it runs
            return s.collect(Collectors.toList());
        } catch (IOException e) {
            return List.of(); // no directory: no ring
        }
    }

    /** What a shell command gave back: the value it returned and what it printed on the session's console. */
    protected static final class ShellResult {
        final Object returned;
        final String printed;

        ShellResult(Object returned, String printed) {
            this.returned = returned;
            this.printed = printed;
        }

        /** What Karaf's interactive console shows: the printed text, then the returned value. */
        String console() {
            return printed + (returned == null ? "" : returned.toString());
        }
    }

    /** Runs a command in a fresh Karaf shell session, the way bin/client and ssh run one. */
    protected ShellResult shell(String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            Object returned = session.execute(command);
            out.flush();
            System.out.println("karaf@root()> " + command);
            ShellResult result = new ShellResult(returned, bytes.toString(StandardCharsets.UTF_8));
            System.out.println(result.console());
            return result;
        } finally {
            session.close();
        }
    }

    protected static void waitFor(Duration timeout, String what, BooleanSupplier condition) {
        waitForValue(timeout, what, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    /** Polls {@code value} until it is non-null; fails naming {@code what} after {@code timeout}. */
    protected static <T> T waitForValue(Duration timeout, String what, Supplier<T> value) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T v = value.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(50); // polling interval of a condition wait, not a guess at timing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }
}
