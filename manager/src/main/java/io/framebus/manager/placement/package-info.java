/**
 * Where cameras run when several framebus runtimes share one camera list (the optional cluster bundle).
 *
 * <p>A bundle that registers a {@link io.framebus.manager.placement.CameraPlacement} service decides, per camera,
 * whether this host runs it. The manager starts a capture process only for cameras placed
 * {@link io.framebus.manager.placement.CameraHome.Where#HERE here} and shows the others as running on the named host.
 * Without such a service every configured camera runs here, exactly as on a single host.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.framebus.manager.placement;
