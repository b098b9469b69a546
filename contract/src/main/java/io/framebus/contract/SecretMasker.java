package io.framebus.contract;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in any text that a user can see: log lines of both processes, the ring's error text, status,
 * shell output, JSON, health checks. The one masker of framebus: the manager and the capture process both use it.
 *
 * <p>Two passes. The structural pass masks the password of every {@code scheme://user:password@host} in the text
 * and the value of query parameters that carry credentials ({@code ?user=admin&password=...}, common on cheap
 * cameras). The literal pass then replaces every occurrence of the configured URL's own secrets, because FFmpeg
 * and JavaCV sometimes quote a URL in a shape the structural pass cannot recognise (cut at a quote, decoded,
 * or split over two messages).
 */
public final class SecretMasker {
    public static final String MASK = "***";

    /** Query parameter names whose values are credentials. */
    private static final Pattern SECRET_QUERY = Pattern.compile(
            "([?&;](?:password|passwd|pass|pwd|psw|token|secret|key|apikey|api_key|access_token|auth)=)([^&#\\s\"'<>]*)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");
    /**
     * Literal secrets shorter than this are replaced only where they stand alone (between characters that cannot
     * be part of a password, such as spaces, quotes, {@code :} and {@code @}): masking every "ab" inside other
     * words would garble a message, and leaving a short password readable is worse.
     */
    private static final int MIN_ANYWHERE_SECRET = 3;

    private final List<String> secrets;

    /** A masker for messages about {@code url}: also hides that URL's password wherever it appears literally. */
    public SecretMasker(String url) {
        this.secrets = url == null ? List.of() : secretsOf(url);
    }

    /** Masks {@code text}: structural pass, then the configured URL's secrets. */
    public String mask(String text) {
        if (text == null) {
            return "";
        }
        String out = maskUrls(text);
        for (String secret : secrets) {
            out = secret.length() >= MIN_ANYWHERE_SECRET ? out.replace(secret, MASK)
                    : Pattern.compile("(?<![\\p{Alnum}])" + Pattern.quote(secret) + "(?![\\p{Alnum}])").matcher(out)
                            .replaceAll(Matcher.quoteReplacement(MASK));
        }
        return out;
    }

    /**
     * Masks the password of every URL with user info, and credential query parameters, in {@code text}.
     * A URL's user info ends at the last {@code @} before the next white space or quote, so a password that
     * (wrongly, but it happens) contains a raw {@code @} or {@code /} is masked whole; a path containing
     * {@code @} may be masked too much, never too little.
     */
    public static String maskUrls(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        Matcher scheme = SCHEME.matcher(text);
        int copied = 0;
        while (scheme.find(copied)) {
            int start = scheme.end();
            int end = endOfToken(text, start);
            int at = text.lastIndexOf('@', end - 1);
            out.append(text, copied, start);
            if (at >= start) {
                String userInfo = text.substring(start, at);
                int colon = userInfo.indexOf(':');
                out.append(colon < 0 ? userInfo : userInfo.substring(0, colon + 1) + MASK);
                out.append(text, at, end);
            } else {
                out.append(text, start, end);
            }
            copied = end;
        }
        out.append(text, copied, text.length());
        return SECRET_QUERY.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK));
    }

    private static int endOfToken(String text, int from) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == '"' || c == '\'' || c == '<' || c == '>') {
                break;
            }
            i++;
        }
        return i;
    }

    private static List<String> secretsOf(String url) {
        List<String> found = new ArrayList<>();
        Matcher scheme = SCHEME.matcher(url);
        if (scheme.lookingAt()) {
            int start = scheme.end();
            int end = endOfToken(url, start);
            int at = url.lastIndexOf('@', end - 1);
            if (at >= start) {
                String userInfo = url.substring(start, at);
                int colon = userInfo.indexOf(':');
                if (colon >= 0) {
                    addSecret(found, userInfo.substring(colon + 1));
                }
            }
        }
        Matcher query = SECRET_QUERY.matcher(url);
        while (query.find()) {
            addSecret(found, query.group(2));
        }
        // longest first, so that a secret containing another one is replaced whole
        found.sort((a, b) -> Integer.compare(b.length(), a.length()));
        return List.copyOf(found);
    }

    private static void addSecret(List<String> found, String raw) {
        if (!raw.isEmpty() && !found.contains(raw)) {
            found.add(raw);
        }
        try {
            String decoded = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
            if (!decoded.isEmpty() && !found.contains(decoded)) {
                found.add(decoded);
            }
        } catch (IllegalArgumentException notPercentEncoded) {
            // the raw form is already in the list
        }
    }
}
