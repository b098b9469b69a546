package io.framebus.web.internal;

import io.framebus.manager.CameraRegistry;
import java.io.IOException;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/** Prometheus text metrics of every camera at {@code /framebus/metrics}, computed from the registry per scrape. */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/framebus/metrics")
@HttpWhiteboardServletName("framebus-metrics")
public final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient CameraRegistry registry;
    private final transient PreviewStreams streams;

    @Activate
    public MetricsServlet(@Reference CameraRegistry registry, @Reference PreviewStreams streams,
                          @Reference WebAccessFilter guardedBy) { // served only behind the access filter
        this.registry = registry;
        this.streams = streams;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        java.util.List<io.framebus.api.SourceStatus> cameras = registry.statuses();
        java.util.List<CameraMetrics.OutputStatus> outputs = new java.util.ArrayList<>();
        for (io.framebus.api.SourceStatus s : cameras) {
            for (String o : registry.outputs(s.cameraId())) {
                registry.source(s.cameraId(), o).ifPresent(src -> outputs.add(
                        new CameraMetrics.OutputStatus(s.cameraId(), o, src.status())));
            }
        }
        HttpResponses.body(resp, HttpServletResponse.SC_OK, PrometheusText.CONTENT_TYPE,
                CameraMetrics.write(cameras, outputs, streams.active()));
    }
}
