package io.framebus.web.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The access rules of the web, apart from HTTP: which Host names are served, which clients must log in, and the
 * check of HTTP Basic credentials (a configured user with a {@link PasswordHash}, or a JAAS realm).
 */
final class WebAccess {
    /** What happens to a request. */
    enum Verdict {
        /** Served. */
        ALLOW,
        /** 403: a Host name not on the list. */
        FOREIGN_HOST,
        /** 401 with a Basic challenge: credentials missing or wrong. */
        LOG_IN,
        /** 403: a client on another host, and nobody configured to log in as. */
        LOCAL_ONLY
    }

    /** Checks a user name and password; JAAS or the configured user. */
    interface Credentials {
        boolean check(String user, char[] password);
    }

    enum Mode { REMOTE, ALWAYS, NEVER }

    private final Set<String> allowedHosts;
    private final boolean anyHost;
    private final Mode mode;
    private final Credentials credentials;
    /**
     * Authorization headers checked recently: a PBKDF2 check costs a third of a second of CPU by design, and a
     * browser sends the header with every request (the page polls, each snapshot is one).
     */
    private final Map<String, Long> verified = new ConcurrentHashMap<>();
    private static final long VERIFIED_NANOS = TimeUnit.MINUTES.toNanos(5);
    private static final int MAX_VERIFIED = 256;

    /** @param credentials null when nobody can log in */
    WebAccess(String[] allowedHosts, String authenticate, Credentials credentials) {
        // "a, b" is two names: a .cfg file gives a list as one comma-separated string
        this.allowedHosts = Arrays.stream(allowedHosts).flatMap(h -> Arrays.stream(h.split("[,\\s]+")))
                .map(WebAccess::normalHost).filter(h -> !h.isEmpty()).collect(Collectors.toUnmodifiableSet());
        this.anyHost = this.allowedHosts.contains("*");
        try {
            this.mode = Mode.valueOf(authenticate.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(WebAccessConfig.PID + ": authenticate must be remote, always or never; got '"
                    + authenticate + "'");
        }
        if (mode == Mode.ALWAYS && credentials == null) {
            throw new IllegalArgumentException(WebAccessConfig.PID + ": authenticate = always needs a user with a "
                    + "passwordHash or a JAAS realm");
        }
        this.credentials = credentials;
    }

    /**
     * @param host          the Host header, null if the request has none (HTTP/1.0 clients; a browser always sends it)
     * @param remoteAddress the client's IP address
     * @param authorization the Authorization header, or null
     */
    Verdict decide(String host, String remoteAddress, String authorization) {
        if (host != null && !anyHost && !allowedHosts.contains(normalHost(stripPort(host)))) {
            return Verdict.FOREIGN_HOST;
        }
        boolean mustLogIn = mode == Mode.ALWAYS || (mode == Mode.REMOTE && !isLoopback(remoteAddress));
        if (!mustLogIn) {
            return Verdict.ALLOW;
        }
        if (credentials == null) {
            return Verdict.LOCAL_ONLY;
        }
        return authorized(authorization) ? Verdict.ALLOW : Verdict.LOG_IN;
    }

    private boolean authorized(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String key = digest(authorization);
        Long until = verified.get(key);
        if (until != null && until - System.nanoTime() > 0) {
            return true;
        }
        boolean ok = check(authorization);
        if (ok) {
            if (verified.size() >= MAX_VERIFIED) {
                verified.clear(); // more distinct logins than a camera web has: start over rather than grow
            }
            verified.put(key, System.nanoTime() + VERIFIED_NANOS);
        }
        return ok;
    }

    /** SHA-256 of the header: the cache holds no password, not even encoded. */
    private static String digest(String authorization) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(authorization.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java", e);
        }
    }

    private boolean check(String authorization) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return false;
        }
        char[] password = decoded.substring(colon + 1).toCharArray();
        try {
            return credentials.check(decoded.substring(0, colon), password);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    static boolean isLoopback(String address) {
        if (address == null || address.isEmpty()) {
            return false;
        }
        try {
            // an IP literal from the container: no name lookup happens for a literal
            if (!(Character.isDigit(address.charAt(0)) || address.indexOf(':') >= 0)) {
                return false;
            }
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** "Example.COM:8080" -> "example.com", "[::1]:8080" -> "[::1]". */
    static String stripPort(String host) {
        String h = host.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 || h.indexOf(':', colon + 1) >= 0 ? h : h.substring(0, colon);
    }

    private static String normalHost(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1); // "localhost." is localhost
        }
        if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
            h = "[" + h + "]"; // IPv6 written without brackets in the configuration
        }
        return h;
    }
}
