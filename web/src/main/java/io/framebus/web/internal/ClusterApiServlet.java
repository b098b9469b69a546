package io.framebus.web.internal;

import io.framebus.manager.placement.CameraPlacement;
import io.framebus.manager.placement.ClusterState;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /framebus/api/cluster}: the cluster's members, the cameras each runs, this host's role, cameras no host
 * runs and cameras whose configuration differs between hosts. 404 on a single host (no cluster placement).
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/framebus/api/cluster")
@HttpWhiteboardServletName("framebus-api-cluster")
public final class ClusterApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile CameraPlacement placement;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        CameraPlacement p = placement;
        if (p == null) {
            HttpResponses.json(resp, HttpServletResponse.SC_NOT_FOUND, CamerasJson.error(
                    "no cluster: this host runs alone (the io.framebus.cluster bundle is absent or not configured)"));
            return;
        }
        HttpResponses.json(resp, HttpServletResponse.SC_OK, json(p.cluster()));
    }

    static String json(ClusterState c) {
        StringBuilder sb = new StringBuilder();
        JsonWriter w = new JsonWriter(sb).beginObject()
                .field("clusterName", c.clusterName())
                .field("thisHost", c.thisHost())
                .field("role", c.role());
        w.name("members").beginArray();
        for (ClusterState.Member m : c.members()) {
            w.beginObject().field("host", m.host()).field("address", m.address())
                    .field("coordinator", m.coordinator()).field("maxCameras", m.maxCameras());
            strings(w.name("labels"), m.labels());
            strings(w.name("cameras"), m.cameras());
            w.endObject();
        }
        w.endArray();
        map(w.name("owners"), c.owners());
        map(w.name("unplaced"), c.unplaced());
        map(w.name("conflicts"), c.conflicts());
        w.endObject();
        return sb.toString();
    }

    private static void strings(JsonWriter w, List<String> values) {
        w.beginArray();
        values.forEach(w::value);
        w.endArray();
    }

    private static void map(JsonWriter w, Map<String, String> values) {
        w.beginObject();
        values.forEach(w::field);
        w.endObject();
    }
}
