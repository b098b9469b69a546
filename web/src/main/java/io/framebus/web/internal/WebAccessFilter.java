package io.framebus.web.internal;

import java.io.IOException;
import java.security.Principal;
import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardFilterName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardFilterPattern;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Guards everything the HTTP Whiteboard's default context and the Http Service serve (the framebus pages, API,
 * images and metrics, and Felix's health servlet): the Host allow-list first, then HTTP Basic authentication where {@link WebAccessConfig}
 * asks for it. The framebus servlets reference this component, so none of them is served without it: a bad
 * {@code io.framebus.web.access} configuration takes the web down instead of opening it.
 */
@Component(service = {Filter.class, WebAccessFilter.class}, configurationPid = WebAccessConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = WebAccessConfig.class)
@HttpWhiteboardFilterPattern("/*")
@HttpWhiteboardFilterName("framebus-access")
// the whiteboard's default context (the framebus servlets) and the Http Service's (Felix's health servlet registers there)
@HttpWhiteboardContextSelect("(|(osgi.http.whiteboard.context.name=default)(osgi.http.whiteboard.context.httpservice=*))")
public final class WebAccessFilter implements Filter {
    private static final String REALM_NAME = "framebus";
    private final WebAccess access;
    private final Logger log;

    @Activate
    public WebAccessFilter(WebAccessConfig config, @Reference(service = LoggerFactory.class) Logger log) {
        this.log = log;
        this.access = new WebAccess(config.allowedHosts(), config.authenticate(), credentials(config));
    }

    private static WebAccess.Credentials credentials(WebAccessConfig config) {
        if (!config.user().isBlank()) {
            if (config.passwordHash().isBlank()) {
                throw new IllegalArgumentException(WebAccessConfig.PID + ": user " + config.user()
                        + " needs a passwordHash");
            }
            PasswordHash hash = PasswordHash.parse(config.passwordHash());
            String user = config.user().trim();
            return (name, password) -> hash.matches(password) & user.equals(name); // both computed: no timing hint
        }
        if (!config.realm().isBlank()) {
            return new JaasCredentials(config.realm().trim(), config.role().trim());
        }
        return null;
    }

    @Override
    public void init(FilterConfig filterConfig) {
        // configured through ConfigAdmin
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse resp = (HttpServletResponse) response;
        WebAccess.Verdict verdict = access.decide(req.getHeader("Host"), req.getRemoteAddr(),
                req.getHeader("Authorization"));
        switch (verdict) {
            case ALLOW -> chain.doFilter(request, response);
            case FOREIGN_HOST -> {
                log.debug("web: refused {} from {}: Host not allowed", req.getRequestURI(), req.getRemoteAddr());
                HttpResponses.text(resp, HttpServletResponse.SC_FORBIDDEN, "this server does not answer to that "
                        + "host name: add it to allowedHosts of " + WebAccessConfig.PID);
            }
            case LOCAL_ONLY -> {
                log.debug("web: refused {} from {}: not a local client", req.getRequestURI(), req.getRemoteAddr());
                HttpResponses.text(resp, HttpServletResponse.SC_FORBIDDEN, "framebus answers clients on its own host "
                        + "only: configure a user (or a JAAS realm) in " + WebAccessConfig.PID + " to log in from "
                        + "others");
            }
            case LOG_IN -> {
                if (req.getHeader("Authorization") != null) {
                    log.info("web: failed login from {}", req.getRemoteAddr());
                }
                resp.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM_NAME + "\", charset=\"UTF-8\"");
                HttpResponses.text(resp, HttpServletResponse.SC_UNAUTHORIZED, "log in to see the cameras");
            }
        }
    }

    @Override
    public void destroy() {
        // nothing held
    }

    /** A JAAS login per request against a realm (Karaf: karaf), optionally requiring a role. */
    private static final class JaasCredentials implements WebAccess.Credentials {
        private final String realm;
        private final String role;

        JaasCredentials(String realm, String role) {
            this.realm = realm;
            this.role = role;
        }

        @Override
        public boolean check(String user, char[] password) {
            Thread thread = Thread.currentThread();
            ClassLoader before = thread.getContextClassLoader();
            // LoginContext loads login modules through the context class loader; null means the system class
            // loader, where Karaf keeps its JAAS boot classes (lib/boot), instead of the HTTP thread's bundle
            thread.setContextClassLoader(null);
            try {
                LoginContext login = new LoginContext(realm, callbacks -> {
                    for (var callback : callbacks) {
                        if (callback instanceof NameCallback name) {
                            name.setName(user);
                        } else if (callback instanceof PasswordCallback pw) {
                            pw.setPassword(password);
                        } else {
                            throw new UnsupportedCallbackException(callback);
                        }
                    }
                });
                login.login();
                try {
                    return role.isEmpty() || hasRole(login.getSubject());
                } finally {
                    login.logout();
                }
            } catch (LoginException e) {
                return false;
            } finally {
                thread.setContextClassLoader(before);
            }
        }

        /** Karaf's RolePrincipal; matched by class name, so the bundle needs no Karaf import. */
        private boolean hasRole(Subject subject) {
            for (Principal p : subject.getPrincipals()) {
                if (p.getClass().getSimpleName().equals("RolePrincipal") && role.equals(p.getName())) {
                    return true;
                }
            }
            return false;
        }
    }
}
