/**
 * The web bundle's implementation; nothing here is exported. What it offers is HTTP (under {@code /framebus/} on the
 * OSGi HTTP Whiteboard) and one Felix {@code HealthCheck} service per camera.
 */
package io.framebus.web.internal;
