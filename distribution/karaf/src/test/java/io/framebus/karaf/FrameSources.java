package io.framebus.karaf;

import io.framebus.api.FrameSource;
import java.time.Duration;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Finding FrameSource services. Kept out of the test classes' signatures on purpose: the probe bundle imports
 * io.framebus.api dynamically, the API bundle exists only after feature:install, and JUnit reflects on every
 * method of a test class (loading its parameter and return types) before the first test runs.
 */
final class FrameSources {
    private FrameSources() {
    }

    static ServiceReference<FrameSource> ref(BundleContext context, String cameraId) {
        try {
            var refs = context.getServiceReferences(FrameSource.class, "(" + FrameSource.CAMERA_ID + "=" + cameraId + ")");
            return refs.isEmpty() ? null : refs.iterator().next();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The pid of the camera's own capture process (the manager may run others, e.g. to make a class-data archive). */
    static long awaitPid(FrameSource source) {
        return KarafTestSupport.waitForValue(Duration.ofSeconds(30), "a capture process of camera " + source.id(), () -> {
            long pid = source.status().pid();
            return pid > 0 ? pid : null;
        });
    }

    static FrameSource await(BundleContext context, String cameraId) {
        ServiceReference<FrameSource> ref = KarafTestSupport.waitForValue(Duration.ofSeconds(60),
                "FrameSource (camera.id=" + cameraId + ")", () -> ref(context, cameraId));
        return context.getService(ref);
    }
}
