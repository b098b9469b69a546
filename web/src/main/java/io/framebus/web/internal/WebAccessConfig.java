package io.framebus.web.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Who may use the web, PID {@code io.framebus.web.access}; every attribute is optional. */
@ObjectClassDefinition(id = WebAccessConfig.PID, name = "framebus web access",
        description = "Which Host names the web answers to and who must log in. By default only clients on this "
                + "host (loopback) are served without a login; others need the user below or the JAAS realm, and "
                + "are refused while neither is configured.")
@interface WebAccessConfig {
    String PID = "io.framebus.web.access";

    @AttributeDefinition(name = "Allowed Host names", description = "Host header values (without the port) the web "
            + "answers to; others get 403. Stops DNS rebinding: a page of another site whose name resolves to this "
            + "host cannot read or restart cameras. Add the names and addresses clients use (e.g. camera-box, "
            + "192.0.2.10); * allows every name.")
    String[] allowedHosts() default {"localhost", "127.0.0.1", "[::1]"};

    @AttributeDefinition(name = "Log in", description = "remote: clients on other hosts must log in, clients on "
            + "this host (loopback, a reverse proxy here included) need not; always: every client; never: nobody "
            + "(anyone who reaches the port sees every picture and can restart cameras).",
            options = {@Option(label = "clients on other hosts", value = "remote"),
                    @Option(label = "every client", value = "always"),
                    @Option(label = "nobody", value = "never")})
    String authenticate() default "remote";

    @AttributeDefinition(name = "User", description = "The user of HTTP Basic authentication, checked against "
            + "the password hash below (Felix). Leave empty to use the JAAS realm instead.")
    String user() default "";

    @AttributeDefinition(name = "Password hash", description = "pbkdf2-sha256:<iterations>:<salt>:<hash> (Base64), "
            + "made by: java -cp bundle/io.framebus.web-<version>.jar io.framebus.web.internal.PasswordHash "
            + "(reads the password from the terminal or stdin). Never the password itself.",
            type = AttributeType.PASSWORD)
    String passwordHash() default "";

    @AttributeDefinition(name = "JAAS realm", description = "Checks users against this JAAS realm, e.g. karaf in "
            + "Karaf (etc/users.properties or any realm Karaf has). Used when no user is configured above.")
    String realm() default "";

    @AttributeDefinition(name = "Role", description = "With a JAAS realm: the role a user needs (e.g. admin); "
            + "empty: any user of the realm.")
    String role() default "";
}
