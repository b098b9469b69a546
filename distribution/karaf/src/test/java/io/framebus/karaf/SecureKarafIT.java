package io.framebus.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;

/**
 * Secrets and the web's login in a real Karaf 4.4: a camera password as {@code $[secret:NAME]} read from etc/ by
 * the ConfigAdmin interpolation plugin Karaf starts by itself, and the web behind the JAAS realm karaf.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class SecureKarafIT extends KarafTestSupport {
    private static final String PASSWORD = "Karaf-S3cr3t#9@z";
    private static final String ENCODED = "Karaf-S3cr3t%239%40z";

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return baseOptions();
    }

    @Test
    public void aCameraPasswordFromASecretFileInEtcReachesTheCameraAndNothingElse() throws Exception {
        try (RtspServer guarded = RtspServer.start(System.getProperty("framebus.rtsp.server"), 320, 240,
                "--user", "viewer", "--password", PASSWORD)) {
            // Karaf's etc/config.properties: org.apache.felix.configadmin.plugin.interpolation.secretsdir=${karaf.etc}
            Path secret = karafBase.resolve("etc/door-password");
            Files.writeString(secret, PASSWORD);
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            installFramebus();
            Configuration config = configAdmin.getFactoryConfiguration(CAMERA_PID, "door", "?");
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("id", "door");
            props.put("url", guarded.url());
            props.put("username", "viewer");
            props.put("password", "$[secret:door-password]");
            props.put("fps", 5);
            config.update(props);

            // the camera refuses the placeholder text: a frame proves the password arrived
            assertTrue("a frame from the camera that wants the password",
                    FrameSources.await(context, "door").next(null, Duration.ofSeconds(60)).isPresent());

            List<String> seen = new ArrayList<>();
            seen.add(shell("framebus:list").console());
            String status = shell("framebus:status door").console();
            assertTrue(status, status.contains(guarded.url().substring("rtsp://".length())));
            seen.add(status);
            for (ServiceReference<?> ref : context.getAllServiceReferences(null, null)) {
                for (String key : ref.getPropertyKeys()) {
                    Object v = ref.getProperty(key);
                    seen.add(key + "=" + (v instanceof Object[] ? Arrays.deepToString((Object[]) v) : String.valueOf(v)));
                }
            }
            assertTrue(seen.stream().anyMatch(s -> s.equals("camera.id=door")));
            seen.addAll(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                    .filter(c -> c.contains(karafBase.toString())).collect(Collectors.toList()));
            assertTrue(seen.stream().anyMatch(c -> c.contains("io.framebus.capture.CaptureMain")));
            for (String s : seen) {
                assertFalse(s, s.contains(PASSWORD) || s.contains(ENCODED));
            }
            // Karaf's FileInstall saves configurations into etc/ (with the placeholder), its log is data/log
            try (Stream<Path> files = Files.walk(karafBase)) {
                for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.equals(secret))
                        .filter(f -> !f.startsWith(karafBase.resolve("system"))).filter(f -> size(f) < 4 << 20)
                        .collect(Collectors.toList())) {
                    String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertFalse(f.toString(), text.contains(PASSWORD) || text.contains(ENCODED));
                }
            }
            config.delete();
        }
    }

    @Test
    public void theWebAsksForALoginOfTheKarafRealmWithTheConfiguredRole() throws Exception {
        Files.write(karafBase.resolve("etc/users.properties"), List.of("webadmin = Adm1n-pass, admin",
                "webviewer = V1ewer-pass, viewer"), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        features.addRepository(java.net.URI.create(System.getProperty("framebus.features")));
        features.installFeature("framebus-web");
        String api = "http://127.0.0.1:" + System.getProperty(HTTP_PORT) + "/framebus/api/cameras";

        // the feature's default: Karaf's users for clients on other hosts, none needed on this one
        java.util.Set<String> seenConfigs = new java.util.LinkedHashSet<>();
        Configuration access;
        try {
            access = waitForValue(Duration.ofSeconds(30), "io.framebus.web.access from the feature", () -> {
            try {
                Configuration[] found = configAdmin.listConfigurations("(service.pid=io.framebus.web.access)");
                if (found != null) {
                    seenConfigs.add(String.valueOf(found[0].getProperties()));
                }
                return found == null || found[0].getProperties().get("realm") == null ? null : found[0];
            } catch (IOException | org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; seen: " + seenConfigs + "; etc file: "
                    + (Files.exists(karafBase.resolve("etc/io.framebus.web.access.cfg"))
                    ? Files.readString(karafBase.resolve("etc/io.framebus.web.access.cfg")) : "none"), e);
        }
        Dictionary<String, Object> props = access.getProperties();
        assertEquals("karaf", props.get("realm"));
        assertEquals("admin", props.get("role"));
        waitFor(Duration.ofSeconds(60), "the web, open to this host", () -> status(api, null) == 200);

        // what a Karaf operator does: edit etc/io.framebus.web.access.cfg (FileInstall owns that configuration; an
        // update through ConfigAdmin alone can be reverted by FileInstall's next scan of the unchanged file)
        Path accessCfg = karafBase.resolve("etc/io.framebus.web.access.cfg");
        assertTrue("the feature's configuration is a file in etc/", Files.exists(accessCfg));
        Files.writeString(accessCfg, Files.readString(accessCfg) + "\nauthenticate = always\n");
        waitFor(Duration.ofSeconds(60), "the web, asking for a login", () -> status(api, null) == 401);
        HttpURLConnection challenge = (HttpURLConnection) new URL(api).openConnection();
        assertEquals(401, challenge.getResponseCode());
        assertTrue(challenge.getHeaderField("WWW-Authenticate"), challenge.getHeaderField("WWW-Authenticate")
                .startsWith("Basic realm=\"framebus\""));
        assertEquals(200, status(api, "webadmin:Adm1n-pass"));
        assertEquals("wrong password", 401, status(api, "webadmin:Adm1n-pasS"));
        assertEquals("a user without the role", 401, status(api, "webviewer:V1ewer-pass"));
        assertEquals("no such user", 401, status(api, "nobody:Adm1n-pass"));
        assertEquals("DNS rebinding: a foreign Host", 403, statusWithHost(api, "evil.example"));

        features.uninstallFeature("framebus-web");
    }

    /** HttpURLConnection will not send another Host: a plain socket does, as a rebinding browser would. */
    private static int statusWithHost(String url, String host) throws IOException {
        URL u = new URL(url);
        try (java.net.Socket socket = new java.net.Socket(u.getHost(), u.getPort())) {
            socket.setSoTimeout(10000);
            socket.getOutputStream().write(("GET " + u.getPath() + " HTTP/1.1\r\nHost: " + host
                    + "\r\nAuthorization: Basic " + Base64.getEncoder().encodeToString(
                    "webadmin:Adm1n-pass".getBytes(StandardCharsets.UTF_8))
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    private static int status(String url, String userAndPassword) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(10000);
            if (userAndPassword != null) {
                c.setRequestProperty("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8)));
            }
            return c.getResponseCode();
        } catch (IOException notYet) {
            return -1;
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException gone) {
            return 0;
        }
    }
}
