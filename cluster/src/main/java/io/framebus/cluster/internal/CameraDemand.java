package io.framebus.cluster.internal;

import java.util.Objects;
import java.util.Set;

/**
 * A camera to be placed.
 *
 * @param id           the camera id
 * @param weight       its cost relative to others, at least 1 (1 for every camera = even by count; pixels x fps
 *                     when weighting is on)
 * @param allowedOn    host names or host labels that may run it; empty = any host
 * @param configuredOn the hosts that have this camera's configuration (with the fingerprint the cluster agreed
 *                     on); only they can run it
 */
public record CameraDemand(String id, long weight, Set<String> allowedOn, Set<String> configuredOn) {

    public CameraDemand {
        Objects.requireNonNull(id, "id");
        if (weight < 1) {
            throw new IllegalArgumentException("camera " + id + ": weight must be >= 1, not " + weight);
        }
        allowedOn = Set.copyOf(allowedOn);
        configuredOn = Set.copyOf(configuredOn);
    }

    boolean mayRunOn(ClusterHost host) {
        if (!configuredOn.contains(host.name())) {
            return false;
        }
        if (allowedOn.isEmpty() || allowedOn.contains(host.name())) {
            return true;
        }
        for (String label : host.labels()) {
            if (allowedOn.contains(label)) {
                return true;
            }
        }
        return false;
    }
}
