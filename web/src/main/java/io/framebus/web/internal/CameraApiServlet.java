package io.framebus.web.internal;

import io.framebus.api.FrameFormat;
import io.framebus.api.FrameSource;
import io.framebus.api.PixelFormat;
import io.framebus.api.SourceStatus;
import io.framebus.manager.CameraRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The JSON API under {@code /framebus/api/}: {@code GET cameras} (every camera, invalid ones too),
 * {@code GET cameras/<id>}, and {@code POST cameras/<id>/restart}. A restart changes something, so it is a POST
 * only, and one coming from a page of another origin (a cross-site form) is refused.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/framebus/api/*")
@HttpWhiteboardServletName("framebus-api")
public final class CameraApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final String CAMERAS = "/cameras";

    private final transient CameraRegistry registry;
    private final transient Logger log;
    /**
     * Name and geometry of each camera from its FrameSource service properties: the registry's statuses carry ids
     * only, and the service exists only once real frames do (never for a capture process's placeholder ring).
     */
    private static final String MAIN = "main";
    /** The FrameSource services' name and geometry, by {@code <camera id>/<output>}. */
    private final transient Map<String, Published> published = new ConcurrentHashMap<>();

    private record Published(String name, FrameFormat format) {
    }

    @Activate
    public CameraApiServlet(@Reference CameraRegistry registry, @Reference(service = LoggerFactory.class) Logger log,
                            @Reference WebAccessFilter guardedBy) { // served only while the access filter is in place
        this.registry = registry;
        this.log = log;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFrameSource(FrameSource source, Map<String, Object> properties) {
        updatedFrameSource(source, properties);
    }

    void updatedFrameSource(FrameSource source, Map<String, Object> properties) {
        Object id = properties.get(FrameSource.CAMERA_ID);
        if (id == null) {
            return;
        }
        Object name = properties.get(FrameSource.CAMERA_NAME);
        FrameFormat format = null;
        try {
            format = new FrameFormat(((Number) properties.get(FrameSource.FRAME_WIDTH)).intValue(),
                    ((Number) properties.get(FrameSource.FRAME_HEIGHT)).intValue(),
                    PixelFormat.valueOf(properties.get(FrameSource.FRAME_FORMAT).toString()));
        } catch (RuntimeException incomplete) {
            log.debug("camera {}: FrameSource without a usable geometry: {}", id, incomplete.toString());
        }
        published.put(key(id, properties), new Published(name == null ? null : name.toString(), format));
    }

    /** Services are kept per camera and output ({@code output} absent: an older manager, its only output main). */
    private static String key(Object cameraId, Map<String, Object> properties) {
        Object output = properties.get(FrameSource.OUTPUT);
        return cameraId + "/" + (output == null ? MAIN : output);
    }

    void removeFrameSource(FrameSource source, Map<String, Object> properties) {
        Object id = properties.get(FrameSource.CAMERA_ID);
        if (id != null) {
            published.remove(key(id, properties));
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        if (path.equals(CAMERAS) || path.equals(CAMERAS + "/")) {
            List<CameraView> views = new ArrayList<>();
            for (SourceStatus s : registry.statuses()) {
                views.add(view(s));
            }
            HttpResponses.json(resp, HttpServletResponse.SC_OK, CamerasJson.cameras(views, Instant.now()));
            return;
        }
        CameraPaths.CameraPath camera = cameraPath(path);
        if (camera == null) {
            notFound(resp, path);
        } else if ("restart".equals(camera.action())) {
            resp.setHeader("Allow", "POST");
            HttpResponses.json(resp, HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                    CamerasJson.error("a restart is a POST"));
        } else if (camera.action() != null) {
            notFound(resp, path);
        } else {
            Optional<SourceStatus> status = status(camera.cameraId());
            if (status.isEmpty()) {
                HttpResponses.json(resp, HttpServletResponse.SC_NOT_FOUND,
                        CamerasJson.error("no camera " + camera.cameraId()));
            } else {
                HttpResponses.json(resp, HttpServletResponse.SC_OK, CamerasJson.camera(view(status.get())));
            }
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        CameraPaths.CameraPath camera = cameraPath(path);
        if (camera == null || !"restart".equals(camera.action())) {
            resp.setHeader("Allow", "GET");
            HttpResponses.json(resp, HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                    CamerasJson.error("only restart is a POST"));
            return;
        }
        if (!sameOrigin(req)) {
            HttpResponses.json(resp, HttpServletResponse.SC_FORBIDDEN,
                    CamerasJson.error("cross-origin restart refused (Origin " + req.getHeader("Origin") + ")"));
            return;
        }
        String id = camera.cameraId();
        Optional<SourceStatus> status = status(id);
        if (status.isEmpty()) {
            HttpResponses.json(resp, HttpServletResponse.SC_NOT_FOUND, CamerasJson.error("no camera " + id));
        } else if (!registry.restart(id)) {
            HttpResponses.json(resp, HttpServletResponse.SC_CONFLICT,
                    CamerasJson.error("camera " + id + " does not run (" + status.get().state() + ")"));
        } else {
            log.info("camera {}: restart requested over HTTP by {}", id, req.getRemoteAddr());
            StringBuilder sb = new StringBuilder();
            new JsonWriter(sb).beginObject().field("camera", id).field("restart", "requested").endObject();
            HttpResponses.json(resp, HttpServletResponse.SC_ACCEPTED, sb.toString());
        }
    }

    private CameraView view(SourceStatus s) {
        Published p = published.get(s.cameraId() + "/" + MAIN);
        java.util.List<CameraView.OutputView> outputs = new java.util.ArrayList<>();
        for (String o : registry.outputs(s.cameraId())) {
            Published op = published.get(s.cameraId() + "/" + o);
            outputs.add(new CameraView.OutputView(o, op == null ? null : op.format()));
        }
        return p == null ? new CameraView(s, null, null, outputs) : new CameraView(s, p.name(), p.format(), outputs);
    }

    private Optional<SourceStatus> status(String id) {
        return registry.statuses().stream().filter(s -> s.cameraId().equals(id)).findFirst();
    }

    private static CameraPaths.CameraPath cameraPath(String path) {
        return path.startsWith(CAMERAS + "/") ? CameraPaths.parse(path.substring(CAMERAS.length())) : null;
    }

    private static void notFound(HttpServletResponse resp, String path) throws IOException {
        HttpResponses.json(resp, HttpServletResponse.SC_NOT_FOUND, CamerasJson.error("not found: " + path));
    }

    /**
     * Browsers send Origin with every cross-origin POST and with same-origin fetch POSTs; tools like curl send none.
     * A request whose Origin names another host or port than the one it was sent to comes from another site's page.
     */
    static boolean sameOrigin(HttpServletRequest req) {
        String origin = req.getHeader("Origin");
        if (origin == null) {
            return true;
        }
        String host = req.getHeader("Host");
        try {
            URI o = URI.create(origin.trim());
            return host != null && o.getRawAuthority() != null && o.getRawAuthority().equalsIgnoreCase(host.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
