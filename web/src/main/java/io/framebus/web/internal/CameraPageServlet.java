package io.framebus.web.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The status page at {@code /framebus/}: one HTML file with its script and style sheet, read from the bundle once.
 * Everything it shows comes from the JSON API and the image URLs, so the page itself is static; its script builds
 * the DOM with text nodes (never HTML from data) and the Content-Security-Policy allows nothing but this origin.
 */
@Component(service = Servlet.class)
// "/framebus/*" takes what the longer patterns of the other servlets (api/*, cameras/*, metrics) do not
@HttpWhiteboardServletPattern({"/framebus", "/framebus/*"})
@HttpWhiteboardServletName("framebus-page")
public final class CameraPageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final String CSP = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; "
            + "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private final transient Map<String, Asset> assets = Map.of(
            "/", new Asset("index.html", "text/html; charset=utf-8"),
            "/index.html", new Asset("index.html", "text/html; charset=utf-8"),
            "/app.js", new Asset("app.js", "text/javascript; charset=utf-8"),
            "/style.css", new Asset("style.css", "text/css; charset=utf-8"));

    @Activate
    public CameraPageServlet(@Reference WebAccessFilter guardedBy) {
        // served only while the access filter is in place
    }

    private record Asset(byte[] bytes, String contentType) {
        Asset(String resource, String contentType) {
            this(read(resource), contentType);
        }

        private static byte[] read(String resource) {
            try (InputStream in = CameraPageServlet.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing bundle resource " + resource);
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        if (path == null) {
            // the page's URLs are relative to /framebus/
            resp.sendRedirect(req.getContextPath() + "/framebus/");
            return;
        }
        Asset asset = assets.get(path);
        if (asset == null) {
            HttpResponses.text(resp, HttpServletResponse.SC_NOT_FOUND, "not found: " + req.getRequestURI());
            return;
        }
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType(asset.contentType());
        resp.setHeader("Cache-Control", "no-cache");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("Content-Security-Policy", CSP);
        resp.setHeader("Referrer-Policy", "no-referrer");
        resp.setContentLength(asset.bytes().length);
        resp.getOutputStream().write(asset.bytes());
    }
}
