package io.framebus.cluster.internal;

import io.framebus.manager.placement.CameraPlacement;
import io.framebus.manager.placement.ClusterState;
import java.util.Locale;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Shell command {@code framebus:cluster}: the members (oldest, the coordinator, first), the cameras each runs, this
 * host's role, and what runs nowhere or is configured differently between hosts. Registered the Gogo way, like
 * the manager's commands, so plain Felix's Gogo and Karaf's shell both pick it up.
 */
@Component(service = ClusterCommand.class, property = {
        "osgi.command.scope=framebus",
        "osgi.command.function=cluster"})
public final class ClusterCommand {
    private final CameraPlacement placement;

    @Activate
    public ClusterCommand(@Reference CameraPlacement placement) {
        this.placement = placement;
    }

    public void cluster() {
        System.out.print(text(placement.cluster()));
    }

    static String text(ClusterState c) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "cluster %s, this host %s (%s), %d member(s), %d camera(s) placed%n",
                c.clusterName(), c.thisHost(), c.role(), c.members().size(), c.owners().size()));
        out.append(String.format(Locale.ROOT, "%-20s %-22s %-12s %5s %5s  %s%n", "HOST", "ADDRESS", "ROLE", "MAX",
                "CAMS", "CAMERAS"));
        for (ClusterState.Member m : c.members()) {
            out.append(String.format(Locale.ROOT, "%-20s %-22s %-12s %5s %5d  %s%n", m.host(), m.address(),
                    m.coordinator() ? "coordinator" : "member", m.maxCameras() == 0 ? "-" : Integer.toString(m.maxCameras()),
                    m.cameras().size(), String.join(",", m.cameras())));
        }
        c.unplaced().forEach((cam, why) -> out.append("unplaced ").append(cam).append(": ").append(why).append('\n'));
        c.conflicts().forEach((cam, why) -> out.append("conflict ").append(cam).append(": ").append(why).append('\n'));
        return out.toString();
    }
}
