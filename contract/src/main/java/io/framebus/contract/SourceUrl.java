package io.framebus.contract;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which camera URLs framebus captures from, decided in one place for the manager (which refuses a configuration)
 * and the capture process (which opens it): {@code rtsp://}, {@code rtsps://}, {@code http(s)://}, a file path or
 * {@code file:} URL, or {@code testsrc:} (an FFmpeg test pattern, {@link TestPattern}).
 */
public final class SourceUrl {
    public static final String TEST_SCHEME = "testsrc:";
    /** Schemes of network sources: they need a host. */
    public static final Set<String> NETWORK_SCHEMES = Set.of("rtsp", "rtsps", "http", "https");

    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):.*", Pattern.DOTALL);

    private SourceUrl() {
    }

    public static boolean isTestSource(String url) {
        return url.regionMatches(true, 0, TEST_SCHEME, 0, TEST_SCHEME.length());
    }

    /** The URL's scheme in lower case, or null for a plain file path ("C:..." is not a scheme either). */
    public static String scheme(String url) {
        Matcher m = SCHEME.matcher(url);
        if (!m.matches()) {
            return null;
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        return scheme.length() < 2 ? null : scheme;
    }

    /**
     * What is wrong with {@code url}, or null when framebus can capture from it. The text never contains the URL's
     * password: a URL is quoted only through {@link SecretMasker#maskUrls}, which masks a password even when it
     * holds a raw {@code /} or {@code @} (the usual cause of "no host").
     */
    public static String problem(String url) {
        if (url.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return "must not contain white space or control characters (percent-encode them)";
        }
        if (isTestSource(url)) {
            try {
                TestPattern.parse(url);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }
        String scheme = scheme(url);
        if (scheme == null) {
            return null; // a file path: its existence is the capture process's business (it may appear later)
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "is not a valid URL (" + SecretMasker.maskUrls(e.getReason()) + " at index " + e.getIndex()
                    + "; a password containing / @ ? # % or : must be percent-encoded)";
        }
        if (scheme.equals("file")) {
            return uri.getPath() == null || uri.getPath().isEmpty() ? "file: URL has no path" : null;
        }
        if (!NETWORK_SCHEMES.contains(scheme)) {
            return "scheme '" + scheme + "' is not supported (use rtsp, rtsps, http, https, file or testsrc:)";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return SecretMasker.maskUrls(url) + " has no host (a password containing / @ ? # or : must be "
                    + "percent-encoded)";
        }
        if (uri.getPort() > 65535) {
            return "port " + uri.getPort() + " is out of range";
        }
        return null;
    }
}
