package io.framebus.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bootDelegationPackages;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.framebus.api.SourceState;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

/**
 * The login path in a real browser (Debian's headless Chromium through chromedriver): with
 * {@code authenticate = always} and a user with a password hash, the page is refused without credentials, and with
 * them the page, its polling API calls and its snapshot thumbnails all work (the browser sends the login with each).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebLoginIT extends FramebusTestSupport {
    private static final String PASSWORD = "Br0wser-pass";

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(composite(baseOptions()), WebIT.webOptions(),
                bootDelegationPackages("org.openqa.selenium", "org.openqa.selenium.*"),
                frameworkProperty("org.osgi.framework.bundle.parent").value("framework"));
    }

    @Test
    public void aBrowserIsRefusedWithoutTheLoginAndSeesTheCamerasWithIt() throws Exception {
        camera("lobby", testPattern("lobby", 320, 240, 5));
        waitForStatus(waitForSource("lobby"), Duration.ofSeconds(60), "streaming",
                s -> s.state() == SourceState.STREAMING, null);

        Configuration access = configAdmin.getConfiguration("io.framebus.web.access", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("authenticate", "always");
        props.put("user", "viewer");
        props.put("passwordHash", passwordHash(PASSWORD));
        access.update(props);
        try {
            String origin = WebIT.origin(context);
            waitFor(Duration.ofSeconds(30), "the web asks for a login", () -> {
                java.net.http.HttpResponse<String> r = WebIT.get(origin + "/framebus/api/cameras");
                return r != null && r.statusCode() == 401;
            });
            try (WebPageIT.Browser browser = WebPageIT.Browser.start()) {
                WebDriver page = browser.driver;
                // no login given: the browser asks for one (headless Chromium shows an empty page meanwhile)
                page.get(origin + "/framebus/");
                assertNotEquals("framebus cameras", page.getTitle());
                assertTrue(page.getPageSource(), page.findElements(By.id("cameras")).isEmpty());

                // the login (what a user types into the browser's dialog, here in the address); the browser keeps
                // it for the site, as after the dialog, and sends it with the page's own requests
                String login = origin.replace("http://", "http://viewer:" + PASSWORD + "@") + "/framebus/";
                waitFor(Duration.ofSeconds(30), "the page with the login", () -> {
                    page.get(login);
                    return page.getTitle().equals("framebus cameras");
                });
                page.get(origin + "/framebus/"); // a URL with user info would taint the page's requests
                assertEquals("framebus cameras", page.getTitle());
                // the page's own requests carry the login: the API poll fills the table, the thumbnail decodes
                waitFor(Duration.ofSeconds(30), "lobby streaming on the page",
                        () -> WebPageIT.state(page, "lobby").equals("STREAMING"));
                waitFor(Duration.ofSeconds(30), "lobby thumbnail decoded", () -> WebPageIT.naturalWidth(page, "lobby") > 0);
                assertEquals(320L, WebPageIT.naturalWidth(page, "lobby"));
            }
            assertTrue("no browser process left", WebPageIT.browserProcesses().isEmpty());
            assertTrue("no password in the log", osgiLog.stream().noneMatch(l -> l.contains(PASSWORD)));
        } finally {
            access.delete();
        }
    }

    /** The documented command: the web bundle's PasswordHash, the password on stdin. */
    private static String passwordHash(String password) throws Exception {
        File jar = new File(System.getProperty("framebus.bundles", "target/bundles"), "io.framebus.web.jar");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", jar.getAbsolutePath(), "io.framebus.web.internal.PasswordHash")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write((password + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String hash = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor());
        return hash;
    }
}
