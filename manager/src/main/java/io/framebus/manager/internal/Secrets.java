package io.framebus.manager.internal;

import java.util.regex.Pattern;

/** Keeps credentials out of logs, status and shell output. */
final class Secrets {
    // scheme://user:password@  or  scheme://user@ : the whole user-info part goes
    private static final Pattern USER_INFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)([^/@\\s]*)@");

    private Secrets() {
    }

    /** {@code rtsp://admin:secret@cam/x} becomes {@code rtsp://admin:***@cam/x}; anything else unchanged. */
    static String maskUrl(String text) {
        if (text == null) {
            return "";
        }
        return USER_INFO.matcher(text).replaceAll(m -> {
            String info = m.group(2);
            int colon = info.indexOf(':');
            String user = colon < 0 ? info : info.substring(0, colon);
            return java.util.regex.Matcher.quoteReplacement(m.group(1) + user + ":***@");
        });
    }

    /**
     * {@link #maskUrl} plus every literal occurrence of the password in {@code url} (as typed and URL-decoded):
     * a capture log line may quote it outside a URL.
     */
    static String redact(String text, String url) {
        String out = maskUrl(text);
        String password = password(url);
        if (password != null && password.length() >= 3) {
            out = out.replace(password, "***");
            String decoded = java.net.URLDecoder.decode(password, java.nio.charset.StandardCharsets.UTF_8);
            out = out.replace(decoded, "***");
        }
        return out;
    }

    private static String password(String url) {
        if (url == null) {
            return null;
        }
        java.util.regex.Matcher m = USER_INFO.matcher(url);
        if (!m.find()) {
            return null;
        }
        int colon = m.group(2).indexOf(':');
        return colon < 0 ? null : m.group(2).substring(colon + 1);
    }
}
