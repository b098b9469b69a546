package io.framebus.distribution;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import io.framebus.api.FrameSource;
import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.log.LogReaderService;

/**
 * What every integration test in a real Felix shares: one {@link #baseOptions()} (our bundles from target/, the
 * OSGi services they need, offline), camera configurations through ConfigurationAdmin, waiting for conditions,
 * and the capture processes and ring files a test must not leave behind.
 */
public abstract class FramebusTestSupport {
    public static final String CAMERA_PID = "io.framebus.camera";
    /** The manager's lock on its ring directory (one runtime per directory), docs/architecture.md. */
    protected static final String MANAGER_LOCK = ".framebus-manager.lock";
    private static final String BUNDLES = System.getProperty("framebus.bundles", "target/bundles");

    @Inject
    protected BundleContext context;

    @Inject
    protected ConfigurationAdmin configAdmin;

    protected Path ringDirectory;
    protected final List<String> osgiLog = new CopyOnWriteArrayList<>();
    private LogReaderService logReader;
    private final org.osgi.service.log.LogListener logListener = e -> {
        String line = e.getLogLevel() + " " + e.getBundle().getSymbolicName() + ": " + e.getMessage()
                + (e.getException() == null ? "" : " " + e.getException());
        osgiLog.add(line);
        System.out.println("[osgi] " + line);
    };
    private final List<Configuration> configurations = new ArrayList<>();
    private Configuration manager;

    /**
     * Settings of the manager for this test class besides its ring directory. No standby capture process by default:
     * the tests count processes, and the standby has its own test ({@code StandbyProcessIT}).
     */
    protected Map<String, Object> managerProperties() {
        return Map.of("standbyProcess", false);
    }

    /** The option list of every test: framework, our bundles in dependency order, offline, fail on unresolved. */
    public static Option[] baseOptions() {
        String[] order = {"org.osgi.util.function", "org.osgi.util.promise", "org.osgi.service.component",
                "org.apache.felix.log", "org.apache.felix.configadmin", "org.apache.felix.metatype",
                "org.apache.felix.scr", "org.apache.felix.gogo.runtime",
                "io.framebus.api", "io.framebus.shm", "io.framebus.contract", "io.framebus.manager", "io.framebus.watchdog"};
        List<Option> opts = new ArrayList<>();
        for (String b : order) {
            opts.add(bundle(new File(BUNDLES, b + ".jar").toURI().toString()));
        }
        opts.add(junitBundles());
        opts.add(cleanCaches());
        opts.add(workingDirectory(System.getProperty("framebus.test.tmp", "target/test-tmp") + "/paxexam"));
        opts.add(frameworkProperty("framebus.capture.home").value(System.getProperty("framebus.capture.home")));
        // the R7 log service drops INFO by default (root level WARN); the tests read INFO lines
        opts.add(frameworkProperty("org.osgi.service.log.admin.loglevel").value("INFO"));
        opts.add(systemProperty("pax.exam.osgi.unresolved.fail").value("true"));
        opts.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("INFO"));
        for (String key : new String[] {"org.ops4j.pax.url.mvn.localRepository", "org.ops4j.pax.url.mvn.repositories",
                "org.ops4j.pax.url.mvn.useFallbackRepositories", "framebus.rtsp.server", "framebus.test.tmp"}) {
            if (System.getProperty(key) != null) {
                opts.add(systemProperty(key).value(System.getProperty(key)));
            }
        }
        return options(opts.toArray(new Option[0]));
    }

    /** Our bundle of the example consumer, for the tests that need it. */
    public static Option exampleConsumer() {
        return bundle(new File(BUNDLES, "io.framebus.example.brightness.jar").toURI().toString());
    }

    @Before
    public void prepareManager() throws Exception {
        logReader = context.getService(context.getServiceReference(LogReaderService.class));
        logReader.addLogListener(logListener);
        ringDirectory = Files.createTempDirectory(Paths.get("/dev/shm"), "framebus-it-");
        manager = configAdmin.getConfiguration("io.framebus.manager", "?");
        Dictionary<String, Object> props = new Hashtable<>(managerProperties());
        props.put("ringDirectory", ringDirectory.toString());
        manager.update(props);
        // the manager restarts with the new ring directory; wait until it uses it
        waitFor(Duration.ofSeconds(30), "manager using " + ringDirectory,
                () -> osgiLog.stream().anyMatch(l -> l.contains("rings in " + ringDirectory)));
    }

    @After
    public void removeEverything() throws Exception {
        for (Configuration c : configurations) {
            try {
                c.delete();
            } catch (IllegalStateException alreadyDeleted) {
                // deleted by the test itself
            }
        }
        if (Boolean.TRUE.equals(managerProperties().get("standbyProcess"))) {
            // no standby while the test checks that nothing is left behind
            Dictionary<String, Object> props = new Hashtable<>(managerProperties());
            props.put("ringDirectory", ringDirectory.toString());
            props.put("standbyProcess", false);
            manager.update(props);
        }
        waitFor(Duration.ofSeconds(30), "no capture process left", () -> captureProcesses().isEmpty());
        waitFor(Duration.ofSeconds(10), "no ring file or socket left", () -> filesLeft().isEmpty());
        // then the manager goes back to its defaults (its own ring directory; a standby 2 s later, which the next
        // test's configuration or the framework's stop ends), so that it does not recreate this test's directory
        String defaults = "rings in " + io.framebus.shm.RingDirectory.defaultDirectory() + ",";
        // or refused there, when another runtime of this user (a developer's ./run.sh) holds the default directory
        String refused = "is in use by another framebus runtime";
        long before = managerActivations(defaults) + managerActivations(refused);
        manager.delete();
        waitFor(Duration.ofSeconds(30), "manager back on its defaults",
                () -> managerActivations(defaults) + managerActivations(refused) > before);
        try (Stream<Path> s = Files.walk(ringDirectory)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        logReader.removeLogListener(logListener);
    }

    private long managerActivations(String line) {
        return osgiLog.stream().filter(l -> l.contains(line)).count();
    }

    /** Creates (or updates) the camera configuration {@code io.framebus.camera~name}. */
    protected Configuration camera(String name, Map<String, ?> properties) throws IOException {
        Configuration c = configAdmin.getFactoryConfiguration(CAMERA_PID, name, "?");
        c.update(new Hashtable<>(properties));
        if (!configurations.contains(c)) {
            configurations.add(c);
        }
        return c;
    }

    protected static Map<String, Object> testPattern(String id, int width, int height, double fps) {
        Map<String, Object> m = new Hashtable<>();
        m.put("id", id);
        m.put("url", "testsrc:size=" + width + "x" + height + ":rate=25");
        m.put("fps", fps);
        return m;
    }

    protected FrameSource waitForSource(String id) {
        return waitForValue(Duration.ofSeconds(60), "FrameSource " + id, () -> source(id));
    }

    protected FrameSource source(String id) {
        ServiceReference<FrameSource> ref = sourceRef(id);
        return ref == null ? null : context.getService(ref);
    }

    protected ServiceReference<FrameSource> sourceRef(String id) {
        try {
            var refs = context.getServiceReferences(FrameSource.class, "(" + FrameSource.CAMERA_ID + "=" + id + ")");
            return refs.isEmpty() ? null : refs.iterator().next();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Waits until the camera's status satisfies {@code condition}, recording every state it passes through. */
    protected SourceStatus waitForStatus(FrameSource source, Duration timeout, String what,
                                         java.util.function.Predicate<SourceStatus> condition, List<SourceState> seen) {
        return waitForValue(timeout, source.id() + " " + what, () -> {
            SourceStatus s = source.status();
            if (seen != null && (seen.isEmpty() || seen.get(seen.size() - 1) != s.state())) {
                seen.add(s.state());
            }
            return condition.test(s) ? s : null;
        });
    }

    /** Capture processes that are children of this JVM. */
    protected static List<ProcessHandle> captureProcesses() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains("io.framebus.capture.CaptureMain")).orElse(false))
                .collect(Collectors.toList());
    }

    /**
     * The capture processes of cameras: the writers of the rings. Not the one-off run that makes the class-data
     * archive, nor an idle standby process; a camera that took the standby has it as its writer.
     */
    protected List<ProcessHandle> cameraProcesses() {
        List<ProcessHandle> writers = new ArrayList<>();
        for (Path ring : ringFiles()) {
            String name = ring.getFileName().toString();
            if (name.startsWith(".") || !name.endsWith(".ring") || name.contains("~")) {
                continue; // the class-data archive run's ring, one being created, or an extra output's (same writer)
            }
            try (io.framebus.shm.RingReader r = io.framebus.shm.RingReader.open(ring)) {
                ProcessHandle.of(r.status().writerPid()).filter(ProcessHandle::isAlive).ifPresent(writers::add);
            } catch (IOException | RuntimeException beingReplaced) {
                // a ring being created or removed right now has no writer to count
            }
        }
        return writers;
    }

    /** The ring files (*.ring) in the ring directory. */
    protected List<Path> ringFiles() {
        return filesLeft().stream().filter(p -> p.getFileName().toString().endsWith(".ring"))
                .collect(Collectors.toList());
    }

    /**
     * Files in the ring directory but the manager's lock file (which is there while the manager runs): rings, their
     * wake-up sockets (*.ring.wake), temporary files. Nothing may be left when the cameras are gone.
     */
    protected List<Path> filesLeft() {
        try (Stream<Path> s = Files.list(ringDirectory)) {
            return s.filter(p -> !p.getFileName().toString().equals(MANAGER_LOCK)).collect(Collectors.toList());
        } catch (IOException e) {
            return List.of();
        }
    }

    protected static void signal(long pid, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertTrue("kill -" + signal + " " + pid, kill.waitFor() == 0);
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

    /** Runs a Gogo command in a fresh session and returns what it printed (or its error message). */
    protected String shell(String command) throws Exception {
        org.apache.felix.service.command.CommandProcessor processor = context.getService(context.getServiceReference(org.apache.felix.service.command.CommandProcessor.class));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(out, true, "UTF-8");
        org.apache.felix.service.command.CommandSession session = processor.createSession(new java.io.ByteArrayInputStream(new byte[0]), ps, ps);
        try {
            Object result = session.execute(command);
            if (result != null) {
                ps.print(session.format(result, org.apache.felix.service.command.Converter.INSPECT));
            }
        } catch (Exception e) {
            ps.print(e.getMessage());
        } finally {
            session.close();
        }
        return out.toString("UTF-8");
    }

    protected Object bundleOf(Class<?> c) {
        return FrameworkUtil.getBundle(c);
    }
}
