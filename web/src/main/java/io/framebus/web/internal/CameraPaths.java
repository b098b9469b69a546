package io.framebus.web.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the path info of camera URLs, {@code /<id>/<action>}. Only ids that a valid camera can have are accepted
 * (the manager's rule: 1-64 of {@code A-Z a-z 0-9 . _ -}, not starting with a dot), so nothing else reaches the
 * registry and no id needs escaping in a URL.
 */
final class CameraPaths {
    private static final Pattern PATH = Pattern.compile("/([A-Za-z0-9_-][A-Za-z0-9._-]{0,63})(?:/([A-Za-z0-9._-]+))?/?");

    /** A parsed path: the camera id and what is asked of it (null for the camera itself). */
    record CameraPath(String cameraId, String action) {
    }

    private CameraPaths() {
    }

    /** @return the parsed path, or null when it is not a camera path */
    static CameraPath parse(String pathInfo) {
        if (pathInfo == null) {
            return null;
        }
        Matcher m = PATH.matcher(pathInfo);
        return m.matches() ? new CameraPath(m.group(1), m.group(2)) : null;
    }
}
