package io.framebus.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Felix distribution as a user runs it: bin/framebus in a copy of target/framebus, cameras as .cfg files,
 * status lines and the shell on the terminal, and what is left after SIGTERM (Ctrl-C) or kill -9 of the runtime;
 * as a service: started the way its systemd unit does (stdin /dev/null, no terminal) and stopped with SIGTERM.
 */
class FelixDistributionIT {
    private Path home;
    private Path rings;
    private Process felix;
    private OutputStream shellIn;
    /** The runtime started with `&` by a shell, not a child of this JVM. */
    private ProcessHandle background;
    private final List<String> output = new CopyOnWriteArrayList<>();

    @BeforeEach
    void unpack() throws Exception {
        // what a user downloads: the tar.gz, unpacked, started with its own script
        Path archive = Paths.get(System.getProperty("framebus.dist.archive"));
        Path tmp = Paths.get(System.getProperty("framebus.test.tmp", "target/test-tmp"));
        Files.createDirectories(tmp);
        Path unpacked = Files.createTempDirectory(tmp.toAbsolutePath(), "felix-dist-");
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", unpacked.toString()).inheritIO().start();
        assertThat(tar.waitFor()).as("tar xzf " + archive).isZero();
        try (Stream<Path> top = Files.list(unpacked)) {
            home = top.filter(p -> p.getFileName().toString().startsWith("framebus-")).findFirst().orElseThrow();
        }
        rings = Files.createTempDirectory(Paths.get("/dev/shm"), "framebus-dist-it-");
        Files.writeString(home.resolve("conf/io.framebus.manager.cfg"), "ringDirectory = " + rings + "\n");
        Files.writeString(home.resolve("conf/io.framebus.console.cfg"), "statusIntervalSeconds = 1\nlogLevel = INFO\n");
        // the web on a free port: other runtimes on this machine may hold 8080
        Files.writeString(home.resolve("conf/org.apache.felix.http.cfg"), "org.osgi.service.http.port = "
                + WebIT.freePort() + "\n");
    }

    /** bin/framebus with the Gogo shell reading a pipe that stays open (as a terminal would). */
    private void startWithShell() throws IOException {
        felix = new ProcessBuilder(home.resolve("bin/framebus").toString(), "--shell").directory(home.toFile())
                .redirectErrorStream(true).start();
        shellIn = felix.getOutputStream(); // kept open: the Gogo shell reads it; EOF would stop the framework
        pumpOutput();
    }

    private void pumpOutput() {
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(felix.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    System.out.println("[felix] " + line);
                }
            } catch (IOException ended) {
                // the runtime exited
            }
        });
        pump.setDaemon(true);
        pump.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (felix != null && felix.isAlive()) {
            felix.destroyForcibly().waitFor();
        }
        if (background != null && background.isAlive()) {
            background.destroyForcibly();
            background.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        for (ProcessHandle p : DistributionCopies.captureProcesses(home)) {
            p.destroyForcibly();
        }
        DistributionCopies.deleteTree(home.getParent());
        DistributionCopies.deleteTree(rings);
    }

    @Test
    void demoCameraStreamsAndCfgFilesAddAndRemoveCamerasWhileItRuns() throws Exception {
        startWithShell();
        awaitLine(Duration.ofSeconds(90), "[demo] STREAMING");

        Path extra = home.resolve("conf/io.framebus.camera-extra.cfg");
        Files.writeString(extra, "id = extra\nurl = testsrc:size=320x240:rate=25\nfps = 5\n");
        awaitLine(Duration.ofSeconds(90), "[extra] STREAMING");
        assertThat(cameraProcesses()).hasSize(2);

        shellIn.write("framebus:list\n".getBytes(StandardCharsets.UTF_8));
        shellIn.flush();
        await().atMost(Duration.ofSeconds(30)).until(() -> output.stream()
                .anyMatch(l -> l.matches("extra\\s+STREAMING.*")));

        Files.delete(extra);
        await().atMost(Duration.ofSeconds(30)).until(() -> cameraProcesses().size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(rings.resolve("extra.ring")));
        assertThat(rings.resolve("demo.ring")).exists();
    }

    @Test
    void sigtermStopsTheRuntimeAndEveryCaptureProcessAndRemovesTheRings() throws Exception {
        startWithShell();
        awaitLine(Duration.ofSeconds(90), "[demo] STREAMING");
        assertThat(cameraProcesses()).hasSize(1);
        felix.destroy(); // SIGTERM, what Ctrl-C amounts to for the JVM: shutdown hook, framework stop
        await().atMost(Duration.ofSeconds(60)).until(() -> !felix.isAlive());
        assertThat(DistributionCopies.captureProcesses(home)).isEmpty();
        try (Stream<Path> s = Files.list(rings)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void captureProcessesExitByThemselvesWhenTheRuntimeIsKilled() throws Exception {
        startWithShell();
        awaitLine(Duration.ofSeconds(90), "[demo] STREAMING");
        assertThat(cameraProcesses()).hasSize(1);
        // with the class-data archive run, if it is still going
        List<ProcessHandle> captures = DistributionCopies.captureProcesses(home);
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(felix.pid())).start();
        assertThat(kill.waitFor()).isZero();
        // nobody stops them: their stdin hits EOF when the runtime dies, and that is their signal to go
        await().atMost(Duration.ofSeconds(10)).until(() -> captures.stream().noneMatch(ProcessHandle::isAlive));
    }

    /**
     * On Java 22+ the runtime unmaps a ring as soon as it stops reading it: after capture processes were killed and
     * their rings deleted and made anew, the runtime maps the current ring only (on Java 17 the old ones stay
     * mapped, and their memory taken, until a GC).
     */
    @Test
    void onJava22AndLaterTheRuntimeKeepsNoMappingOfTheRingsOfKilledCaptures() throws Exception {
        Path jdk = Paths.get(System.getProperty("framebus.test.newJdk", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        Assumptions.assumeTrue(Files.isExecutable(jdk.resolve("bin/java")), "no JDK 22+ at " + jdk);
        String version = Files.readAllLines(jdk.resolve("release")).stream().filter(l -> l.startsWith("JAVA_VERSION="))
                .map(l -> l.replaceAll("[^0-9.]", "")).findFirst().orElseThrow();
        assertThat(Integer.parseInt(version.split("\\.")[0])).as("major version of " + jdk).isGreaterThanOrEqualTo(22);
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/framebus").toString(), "--shell").directory(home.toFile())
                .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", jdk.toString());
        felix = pb.start();
        shellIn = felix.getOutputStream();
        pumpOutput();
        awaitLine(Duration.ofSeconds(90), "[demo] STREAMING");
        assertThat(output).anyMatch(l -> l.contains("capture [demo] starting") && l.contains("Java " + version));
        for (int kill = 0; kill < 3; kill++) {
            await().atMost(Duration.ofSeconds(60)).until(() -> cameraProcesses().size() == 1);
            long writer = cameraProcesses().get(0).pid();
            assertThat(new ProcessBuilder("kill", "-9", Long.toString(writer)).start().waitFor()).isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> cameraProcesses().stream().anyMatch(p -> p.pid() != writer));
        }
        Path maps = Paths.get("/proc/" + felix.pid() + "/maps");
        // the runtime follows the new ring at its next look (a tick, a frame): then nothing else is mapped
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Files.readAllLines(maps).stream()
                .filter(l -> l.contains(rings.toString()))).isNotEmpty().allMatch(l -> !l.endsWith("(deleted)")));
    }

    @Test
    void startedAsItsSystemdUnitDoesItRunsHeadlessAndSigtermStopsItCleanly() throws Exception {
        // etc/framebus.service for /opt/framebus, moved to this copy: what systemctl start would run
        Path unit = home.resolve("etc/framebus.service");
        String text = Files.readString(unit).replace("/opt/framebus", home.toString());
        Path installed = home.getParent().resolve("framebus.service");
        Files.writeString(installed, text);
        Process verify = new ProcessBuilder("systemd-analyze", "verify", installed.toString())
                .redirectErrorStream(true).start();
        String verdict = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(verify.waitFor()).as(verdict).isZero();
        assertThat(verdict).as("systemd-analyze verify: no warnings").isBlank();
        assertThat(unitValue(text, "StandardInput")).isEqualTo("null");
        assertThat(unitValue(text, "KillMode")).isEqualTo("mixed");

        List<String> execStart = List.of(unitValue(text, "ExecStart").split("\\s+"));
        Path workDir = Paths.get(unitValue(text, "WorkingDirectory"));
        // like systemd: no terminal, stdin /dev/null (the Gogo shell would read EOF and stop everything)
        felix = new ProcessBuilder(execStart).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        pumpOutput();
        awaitLine(Duration.ofSeconds(90), "[demo] STREAMING"); // seconds after stdin's EOF
        assertThat(felix.isAlive()).isTrue();
        assertThat(cameraProcesses()).hasSize(1);
        assertThat(output).noneMatch(l -> l.contains("gosh: stopping"));

        felix.destroy(); // systemctl stop: SIGTERM to the main process (KillMode=mixed)
        await().atMost(Duration.ofSeconds(60)).until(() -> !felix.isAlive());
        assertThat(unitValue(text, "SuccessExitStatus").split("\\s+")).contains(Integer.toString(felix.exitValue()));
        assertThat(DistributionCopies.captureProcesses(home)).isEmpty();
        try (Stream<Path> s = Files.list(rings)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void startedInTheBackgroundOfAScriptItKeepsRunning() throws Exception {
        // `bin/framebus &` from a script (bash gives background commands /dev/null as stdin), as a new user tries it
        felix = new ProcessBuilder("bash", "-c", "bin/framebus & echo $!; wait").directory(home.toFile())
                .redirectErrorStream(true).start();
        pumpOutput();
        awaitLine(Duration.ofSeconds(90), "[demo] STREAMING");
        assertThat(output).noneMatch(l -> l.contains("gosh: stopping"));
        long runtimePid = Long.parseLong(output.stream().filter(l -> l.matches("\\d+")).findFirst().orElseThrow());
        background = ProcessHandle.of(runtimePid).orElseThrow();
        assertThat(background.isAlive()).isTrue();
        new ProcessBuilder("kill", "-TERM", Long.toString(runtimePid)).start().waitFor();
        await().atMost(Duration.ofSeconds(60)).until(() -> !felix.isAlive());
        assertThat(DistributionCopies.captureProcesses(home)).isEmpty();
    }

    @Test
    void theShellOnlyForTheForegroundOfATerminal() throws Exception {
        // the script's choice, seen through a stand-in java that prints its arguments (util-linux script gives a tty)
        Path fakeJava = Files.createDirectories(home.getParent().resolve("fake-jdk/bin")).resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\necho \"java $*\"\n");
        fakeJava.toFile().setExecutable(true);
        String env = "JAVA_HOME=" + fakeJava.getParent().getParent() + " ";
        String headless = "-Dgosh.args=--nointeractive --noshutdown";
        assertThat(runScript("script", "-qec", env + "bin/framebus", "/dev/null")).as("a terminal, in the foreground")
                .contains("java -Dfelix.config.properties").doesNotContain(headless);
        assertThat(runScript("script", "-qec", "bash -i -c '" + env + "bin/framebus & wait'", "/dev/null"))
                .as("a terminal, in the background: reading it would stop the JVM").contains(headless);
        assertThat(runScript("bash", "-c", env + "bin/framebus")).as("no terminal").contains(headless);
        assertThat(runScript("bash", "-c", env + "bin/framebus --shell")).doesNotContain(headless);
        assertThat(runScript("bash", "-c", env + "bin/framebus --bogus")).contains("usage: bin/framebus");
    }

    private String runScript(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Test
    void configurationsAndSecretsShipReadableByTheirOwnerOnly() throws Exception {
        // camera configurations may hold passwords; secrets/ holds them
        for (String dir : List.of("conf", "secrets")) {
            assertThat(java.nio.file.Files.getPosixFilePermissions(home.resolve(dir)))
                    .as(dir).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        Process tar = new ProcessBuilder("tar", "tzvf", System.getProperty("framebus.dist.archive"))
                .redirectErrorStream(true).start();
        List<String> entries = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("/conf/") || l.contains("/secrets/")).collect(Collectors.toList());
        assertThat(tar.waitFor()).isZero();
        assertThat(entries).anyMatch(l -> l.endsWith("conf/io.framebus.camera-sample.cfg"));
        assertThat(entries).allSatisfy(l -> assertThat(l).matches(
                "(-rw-------|drwx------) .*"));
    }

    private static String unitValue(String unit, String key) {
        return unit.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1).trim())
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no " + key + "= in the unit"));
    }

    private void awaitLine(Duration timeout, String text) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> output.stream().anyMatch(l -> l.contains(text)));
    }

    /**
     * The capture processes of cameras: the writers of the rings. Not the one-off run that makes the class-data
     * archive, nor the idle standby process; a camera that took the standby has it as its writer.
     */
    private List<ProcessHandle> cameraProcesses() throws IOException {
        List<ProcessHandle> writers = new java.util.ArrayList<>();
        try (Stream<Path> s = Files.list(rings)) {
            for (Path ring : s.filter(FelixDistributionIT::isCameraRing).collect(Collectors.toList())) {
                try (io.framebus.shm.RingReader r = io.framebus.shm.RingReader.open(ring)) {
                    ProcessHandle.of(r.status().writerPid()).filter(ProcessHandle::isAlive).ifPresent(writers::add);
                } catch (IOException | RuntimeException beingReplaced) {
                    // a ring being created or removed right now has no writer to count
                }
            }
        }
        return writers;
    }

    /** A camera's ring: not the class-data archive run's (.cds-<pid>.ring), not one being created (.tmp). */
    private static boolean isCameraRing(Path p) {
        String name = p.getFileName().toString();
        return !name.startsWith(".") && name.endsWith(".ring");
    }

    /** Capture processes started from this copy of the distribution (their classpath is in it). */

}
