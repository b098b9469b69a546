package io.framebus.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bootDelegationPackages;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.framebus.api.FrameSource;
import io.framebus.api.SourceState;
import io.framebus.api.SourceStatus;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

/**
 * The status page in a real browser: Debian's headless Chromium, driven through Debian's chromedriver with
 * Selenium, against the running framework. The page lists the cameras, shows thumbnails that decode, and shows a
 * capture process killed with {@code kill -9} as restarting and then streaming again; a restart button restarts its
 * camera. A screenshot of the page goes to {@code target/test-tmp/screenshots/} (the README's comes from there).
 *
 * <p>Selenium runs inside the framework with this test: its packages are boot-delegated to the class path the
 * framework was launched from, so Selenium and its dependencies need not be bundles.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebPageIT extends FramebusTestSupport {
    /** The first restart after a crash waits this long: the page, polling once a second, surely sees RESTARTING. */
    private static final int RESTART_DELAY_MILLIS = 3000;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(composite(baseOptions()), WebIT.webOptions(),
                bootDelegationPackages("org.openqa.selenium", "org.openqa.selenium.*"),
                // boot delegation goes to the class loader that loaded the framework (the test class path)
                frameworkProperty("org.osgi.framework.bundle.parent").value("framework"));
    }

    @Test
    public void pageListsCamerasShowsThumbnailsAndACrashAsRestartingThenRecovered() throws Exception {
        Configuration watchdog = configAdmin.getConfiguration("io.framebus.watchdog", "?");
        Dictionary<String, Object> slowRestart = new Hashtable<>();
        slowRestart.put("restartDelayMillis", RESTART_DELAY_MILLIS);
        watchdog.update(slowRestart);
        try {
            Map<String, Object> lobby = testPattern("lobby", 640, 360, 5);
            lobby.put("name", "Lobby");
            camera("lobby", lobby);
            Map<String, Object> yard = testPattern("yard", 640, 360, 5);
            yard.put("name", "Yard (SMPTE bars, NV12)");
            yard.put("url", "testsrc:size=640x360:rate=25:pattern=smptebars");
            yard.put("pixelFormat", "NV12");
            yard.put("outputs", new String[] {"small: 160x120 GRAY8 fps=5"});
            camera("yard", yard);
            Map<String, Object> gate = new Hashtable<>();
            gate.put("id", "gate");
            gate.put("url", "rtsp://127.0.0.1:9/gate");
            gate.put("enabled", false);
            camera("gate", gate);
            Map<String, Object> broken = new Hashtable<>();
            broken.put("id", "broken");
            broken.put("url", "ftp://camera.invalid/stream");
            camera("broken", broken);
            FrameSource lobbySource = waitForSource("lobby");
            FrameSource yardSource = waitForSource("yard");
            waitForStatus(lobbySource, Duration.ofSeconds(60), "streaming", s -> s.state() == SourceState.STREAMING, null);
            waitForStatus(yardSource, Duration.ofSeconds(60), "streaming", s -> s.state() == SourceState.STREAMING, null);

            try (Browser browser = Browser.start()) {
                WebDriver page = browser.driver;
                String url = WebIT.origin(context) + "/framebus/";
                waitFor(Duration.ofSeconds(30), "the page is served", () -> {
                    page.get(url);
                    return page.getTitle().equals("framebus cameras");
                });

                // every camera is listed, in id order, with its state
                waitFor(Duration.ofSeconds(30), "four rows", () -> rowIds(page).size() == 4);
                assertEquals(List.of("broken", "gate", "lobby", "yard"), rowIds(page));
                waitFor(Duration.ofSeconds(30), "lobby and yard streaming on the page",
                        () -> state(page, "lobby").equals("STREAMING") && state(page, "yard").equals("STREAMING"));
                assertEquals("INVALID", state(page, "broken"));
                assertEquals("STOPPED", state(page, "gate"));
                assertTrue(cell(page, "broken", "error").getAttribute("title").contains("ftp"));
                assertEquals("Lobby", cell(page, "lobby", "name").getText());

                // the thumbnails are images the browser decoded (BGR24 and NV12 cameras)
                for (String id : new String[] {"lobby", "yard"}) {
                    waitFor(Duration.ofSeconds(30), id + " thumbnail decoded", () -> naturalWidth(page, id) > 0);
                }
                assertEquals(320L, naturalWidth(page, "lobby"));
                screenshot(page, "framebus-cameras.png");

                // a click on a thumbnail opens the live MJPEG preview; closing it ends the stream on the server
                row(page, "yard").findElement(By.cssSelector(".thumb-box")).click();
                waitFor(Duration.ofSeconds(30), "the live preview shows frames", () -> ((Number) ((JavascriptExecutor) page)
                        .executeScript("return document.getElementById('preview-img').naturalWidth;")).longValue() == 640);
                assertEquals(1.0, previewStreams(), 0);
                // yard has a second output: the dialog's picker switches the preview to it
                WebElement picker = page.findElement(By.id("preview-output"));
                assertTrue("the output picker is shown", picker.isDisplayed());
                picker.findElement(By.xpath(".//option[starts-with(text(),'small')]")).click();
                waitFor(Duration.ofSeconds(30), "the preview shows the small output", () -> ((Number) ((JavascriptExecutor) page)
                        .executeScript("return document.getElementById('preview-img').naturalWidth;")).longValue() == 160);
                page.findElement(By.cssSelector("#preview button")).click();
                waitFor(Duration.ofSeconds(30), "no preview streaming after the dialog closed", () -> previewStreams() == 0);

                // kill -9 of lobby's capture process: the page shows it restarting, then streaming with 1 restart
                SourceStatus before = lobbySource.status();
                signal(before.pid(), "KILL");
                String seenDown = waitForValue(Duration.ofSeconds(30), "the page shows lobby not streaming", () -> {
                    String s = state(page, "lobby");
                    return s.equals("STREAMING") ? null : s;
                });
                screenshot(page, "framebus-cameras-restarting.png");
                waitFor(Duration.ofSeconds(60), "the page shows lobby streaming again after 1 restart",
                        () -> state(page, "lobby").equals("STREAMING") && cellText(page, "lobby", "restarts").equals("1"));
                String history = row(page, "lobby").getAttribute("data-states-seen");
                assertTrue("the page showed the restart: " + history + " (first seen down: " + seenDown + ")",
                        history.contains("RESTARTING") && history.endsWith("STREAMING"));
                assertTrue("the page shows the new capture process: " + cellText(page, "lobby", "meta"),
                        !cellText(page, "lobby", "meta").contains("pid " + before.pid()));

                // the restart button of yard: the same, by a POST from the page
                long yardPid = yardSource.status().pid();
                row(page, "yard").findElement(By.cssSelector("button.restart")).click();
                waitFor(Duration.ofSeconds(60), "yard restarted by its button and streaming",
                        () -> state(page, "yard").equals("STREAMING") && cellText(page, "yard", "restarts").equals("1"));
                assertTrue("a new capture process", waitForSource("yard").status().pid() != yardPid);
                waitFor(Duration.ofSeconds(30), "yard thumbnail after the restart", () -> naturalWidth(page, "yard") > 0);
            }
            assertTrue("no browser process left: " + browserProcesses(), browserProcesses().isEmpty());
        } finally {
            watchdog.delete();
        }
    }

    /** The web's own count of MJPEG previews being streamed, from its metrics. */
    private double previewStreams() {
        String metrics = WebIT.get(WebIT.origin(context) + "/framebus/metrics").body();
        return WebIT.parseMetrics(metrics).get("framebus_web_preview_streams");
    }

    // ---- the page, as the test reads it

    private static List<String> rowIds(WebDriver page) {
        return page.findElements(By.cssSelector("#cameras tbody tr")).stream().map(r -> r.getAttribute("data-camera"))
                .collect(Collectors.toList());
    }

    private static WebElement row(WebDriver page, String id) {
        return page.findElement(By.cssSelector("#cameras tbody tr[data-camera='" + id + "']"));
    }

    private static WebElement cell(WebDriver page, String id, String cssClass) {
        return row(page, id).findElement(By.cssSelector("." + cssClass));
    }

    private static String cellText(WebDriver page, String id, String cssClass) {
        return cell(page, id, cssClass).getText().trim();
    }

    /** The state cell's badge text: the state name. */
    static String state(WebDriver page, String id) {
        List<WebElement> rows = page.findElements(By.cssSelector("#cameras tbody tr[data-camera='" + id + "']"));
        return rows.isEmpty() ? "" : rows.get(0).findElement(By.cssSelector("td.state .badge")).getText().trim();
    }

    static long naturalWidth(WebDriver page, String id) {
        Object w = ((JavascriptExecutor) page).executeScript(
                "const img = document.querySelector(\"tr[data-camera='\" + arguments[0] + \"'] img.thumb\");"
                        + "return img && img.complete && !img.hidden ? img.naturalWidth : 0;", id);
        return ((Number) w).longValue();
    }

    private static void screenshot(WebDriver page, String name) throws Exception {
        Path dir = Paths.get(System.getProperty("framebus.test.tmp", "target/test-tmp"), "screenshots");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), ((TakesScreenshot) page).getScreenshotAs(OutputType.BYTES));
    }

    /** chromedriver and Chromium processes started by this JVM. */
    static List<ProcessHandle> browserProcesses() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.contains("chrom")).orElse(false))
                .collect(Collectors.toList());
    }

    /**
     * Debian's chromedriver and Chromium, headless, with a fresh profile. Closing quits the browser, stops the driver,
     * kills by pid whatever of them is left, and deletes the profile.
     */
    static final class Browser implements AutoCloseable {
        final ChromeDriverService service;
        final WebDriver driver;
        private final Path profile;

        private Browser(ChromeDriverService service, WebDriver driver, Path profile) {
            this.service = service;
            this.driver = driver;
            this.profile = profile;
        }

        static Browser start() throws Exception {
            Path tmp = Paths.get(System.getProperty("framebus.test.tmp", "target/test-tmp"));
            Files.createDirectories(tmp);
            Path profile = Files.createTempDirectory(tmp.toAbsolutePath(), "chromium-profile-");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(System.getProperty("framebus.chromedriver", "/usr/bin/chromedriver")))
                    .usingAnyFreePort()
                    .withLogFile(tmp.resolve("chromedriver.log").toFile())
                    .build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(System.getProperty("framebus.chromium", "/usr/bin/chromium"));
            // what headless Chromium needs on this machine: no sandbox as root, no GPU, and no connection to any
            // Google service (the network is closed)
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,800", "--user-data-dir=" + profile);
            // Selenium finds its HTTP client through ServiceLoader on the context class loader: its own, here
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(ChromeDriver.class.getClassLoader());
            try {
                service.start();
                return new Browser(service, new ChromeDriver(service, options), profile);
            } catch (RuntimeException | Error e) {
                service.stop();
                deleteTree(profile);
                throw e;
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        @Override
        public void close() throws Exception {
            // known before quitting: a Chromium process whose driver exited first is no descendant of ours any more
            List<ProcessHandle> started = browserProcesses();
            try {
                driver.quit();
            } finally {
                service.stop();
                try {
                    waitFor(Duration.ofSeconds(20), "chromedriver and Chromium exited", () -> browserProcesses().isEmpty()
                            && started.stream().noneMatch(ProcessHandle::isAlive));
                } finally {
                    Stream.concat(started.stream(), browserProcesses().stream()).filter(ProcessHandle::isAlive)
                            .forEach(ProcessHandle::destroyForcibly);
                    deleteTree(profile);
                }
            }
        }

        private static void deleteTree(Path dir) throws Exception {
            if (Files.exists(dir)) {
                try (Stream<Path> s = Files.walk(dir)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
