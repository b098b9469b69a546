package io.framebus.manager.internal;

import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One instance per factory configuration of {@code io.framebus.camera}. A changed configuration deactivates and
 * activates this instance only (no {@code @Modified}): exactly that camera restarts. It registers its services
 * itself (the FrameSource only once the ring exists), so the component provides none.
 */
@Component(configurationPid = CameraConfig.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = CameraConfig.class, factory = true)
public final class CameraComponent {
    private final CaptureRuntime runtime;
    private final Camera camera;

    @Activate
    public CameraComponent(@Reference CaptureRuntime runtime, BundleContext context, CameraConfig config,
                           Map<String, Object> properties) {
        this.runtime = runtime;
        this.camera = runtime.add(String.valueOf(properties.get(Constants.SERVICE_PID)), config, context);
    }

    @Deactivate
    void deactivate() {
        runtime.remove(camera);
    }
}
