package io.framebus.cluster.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One camera configuration as a member publishes it to the others: id, fingerprint, weight, constraint.
 *
 * <p>The fingerprint is a SHA-256 over every property of the configuration (sorted; bookkeeping properties of
 * ConfigAdmin and FileInstall left out), so two hosts whose configurations differ in anything, the password
 * included, are told apart without the password ever leaving the host: only the hash is published.
 *
 * @param id          the camera id
 * @param fingerprint SHA-256 hex of the configuration
 * @param enabled     whether the configuration says to run it
 * @param weight      width x height x fps / 1000 (at least 1), used when the cluster weighs by pixels
 * @param allowedOn   the {@code clusterHosts} constraint: host names or labels, empty = any
 */
record CameraEntry(String id, String fingerprint, boolean enabled, long weight, Set<String> allowedOn) {
    /** Camera property naming the hosts or labels that may run the camera (comma-separated or a list). */
    static final String CLUSTER_HOSTS = "clusterHosts";

    static CameraEntry of(Dictionary<String, ?> props) {
        Object idValue = props.get("id");
        if (idValue == null || idValue.toString().isBlank()) {
            return null; // invalid: the manager reports it
        }
        TreeMap<String, String> canonical = new TreeMap<>();
        for (Enumeration<String> keys = props.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            if (key.startsWith("service.") || key.startsWith("felix.") || key.startsWith(":") || key.startsWith("component.")) {
                continue;
            }
            canonical.put(key, text(props.get(key)));
        }
        boolean enabled = !"false".equalsIgnoreCase(canonical.getOrDefault("enabled", "true").trim());
        long width = number(canonical.get("width"), 1280);
        long height = number(canonical.get("height"), 720);
        double fps = number(canonical.get("fps"), 25);
        long weight = Math.max(1, (long) (width * height * fps / 1000));
        Set<String> allowed = new TreeSet<>();
        for (String part : canonical.getOrDefault(CLUSTER_HOSTS, "").split("[,\\s]+")) {
            if (!part.isBlank()) {
                allowed.add(part.trim());
            }
        }
        return new CameraEntry(idValue.toString().trim(), sha256(canonical.toString()), enabled, weight, allowed);
    }

    private static String text(Object v) {
        if (v instanceof Object[] array) {
            return Arrays.toString(array);
        }
        if (v instanceof java.util.Collection<?> c) {
            return new ArrayList<>(c).toString();
        }
        return String.valueOf(v);
    }

    private static long number(String s, long zeroMeans) {
        try {
            double d = s == null ? 0 : Double.parseDouble(s.trim());
            return d <= 0 ? zeroMeans : (long) d;
        } catch (NumberFormatException e) {
            return zeroMeans; // the manager reports the bad value
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    /** One line of a member's published camera list (tab-separated; ids cannot contain tabs). */
    String line() {
        return id + "\t" + fingerprint + "\t" + enabled + "\t" + weight + "\t" + String.join(",", allowedOn);
    }

    static CameraEntry parse(String line) {
        String[] f = line.split("\t", -1);
        List<String> allowed = f[4].isEmpty() ? List.of() : Arrays.asList(f[4].split(","));
        return new CameraEntry(f[0], f[1], Boolean.parseBoolean(f[2]), Long.parseLong(f[3]), Set.copyOf(allowed));
    }
}
