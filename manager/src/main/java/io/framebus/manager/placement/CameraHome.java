package io.framebus.manager.placement;

import java.util.Objects;

/**
 * Where one camera runs, as the placement sees it now.
 *
 * @param where  here, on another host, or nowhere
 * @param host   the host that runs it ({@code where} HERE or ELSEWHERE), else empty
 * @param reason why it runs nowhere (e.g. "not placed yet", "every member is full"), else empty
 */
public record CameraHome(Where where, String host, String reason) {

    /** Where a camera runs. */
    public enum Where {
        /** This host runs it. */
        HERE,
        /** Another host runs it; {@link CameraHome#host()} names it. */
        ELSEWHERE,
        /** No host runs it; {@link CameraHome#reason()} says why. */
        NOWHERE
    }

    public CameraHome {
        Objects.requireNonNull(where, "where");
        host = host == null ? "" : host;
        reason = reason == null ? "" : reason;
    }

    public static CameraHome here(String host) {
        return new CameraHome(Where.HERE, host, "");
    }

    public static CameraHome elsewhere(String host) {
        return new CameraHome(Where.ELSEWHERE, host, "");
    }

    public static CameraHome nowhere(String reason) {
        return new CameraHome(Where.NOWHERE, "", reason);
    }
}
