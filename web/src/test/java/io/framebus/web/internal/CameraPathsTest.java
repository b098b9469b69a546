package io.framebus.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

class CameraPathsTest {
    @Test
    void cameraPathsAreIdAndAction() {
        assertThat(CameraPaths.parse("/front/snapshot.jpg")).isEqualTo(new CameraPaths.CameraPath("front", "snapshot.jpg"));
        assertThat(CameraPaths.parse("/Cam_2.hd-1/mjpeg")).isEqualTo(new CameraPaths.CameraPath("Cam_2.hd-1", "mjpeg"));
        assertThat(CameraPaths.parse("/front")).isEqualTo(new CameraPaths.CameraPath("front", null));
        assertThat(CameraPaths.parse("/front/")).isEqualTo(new CameraPaths.CameraPath("front", null));
        assertThat(CameraPaths.parse("/" + "a".repeat(64) + "/restart")).isNotNull();
    }

    @Test
    void anythingAValidCameraCannotBeIsRefused() {
        for (String bad : new String[] {null, "", "/", "front", "/.hidden/snapshot.jpg", "/../etc/passwd", "/a/../b",
                "/a b/mjpeg", "/a%2Fb/mjpeg", "/a/b/c", "/" + "a".repeat(65), "/caf\u00e9/mjpeg", "//mjpeg"}) {
            assertThat(CameraPaths.parse(bad)).as(bad).isNull();
        }
    }

    @Test
    void restartsFromAnotherOriginAreRefused() {
        assertThat(CameraApiServlet.sameOrigin(request(Map.of("Host", "127.0.0.1:8080")))).as("curl: no Origin").isTrue();
        assertThat(CameraApiServlet.sameOrigin(request(Map.of("Host", "127.0.0.1:8080", "Origin", "http://127.0.0.1:8080"))))
                .isTrue();
        assertThat(CameraApiServlet.sameOrigin(request(Map.of("Host", "localhost:8080", "Origin", "http://LOCALHOST:8080"))))
                .isTrue();
        assertThat(CameraApiServlet.sameOrigin(request(Map.of("Host", "127.0.0.1:8080", "Origin", "https://evil.example"))))
                .isFalse();
        assertThat(CameraApiServlet.sameOrigin(request(Map.of("Host", "127.0.0.1:8080", "Origin", "http://127.0.0.1:9090"))))
                .isFalse();
        assertThat(CameraApiServlet.sameOrigin(request(Map.of("Host", "127.0.0.1:8080", "Origin", "null")))).isFalse();
        assertThat(CameraApiServlet.sameOrigin(request(Map.of("Origin", "http://127.0.0.1:8080")))).as("no Host").isFalse();
    }

    private static HttpServletRequest request(Map<String, String> headers) {
        return (HttpServletRequest) Proxy.newProxyInstance(CameraPathsTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getHeader")) {
                        return headers.get((String) args[0]);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
