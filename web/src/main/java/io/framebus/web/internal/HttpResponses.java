package io.framebus.web.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.servlet.http.HttpServletResponse;

/** The few ways the web answers: plain text, JSON, and headers every dynamic answer carries. */
final class HttpResponses {
    private HttpResponses() {
    }

    /** Live data: never cached by browsers or proxies. */
    static void noStore(HttpServletResponse resp) {
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Content-Type-Options", "nosniff");
    }

    static void text(HttpServletResponse resp, int status, String text) throws IOException {
        body(resp, status, "text/plain; charset=utf-8", text + "\n");
    }

    static void json(HttpServletResponse resp, int status, String json) throws IOException {
        body(resp, status, "application/json; charset=utf-8", json);
    }

    static void body(HttpServletResponse resp, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType(contentType);
        noStore(resp);
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }
}
