/**
 * The supervision contract between the manager and a watchdog: the manager registers one
 * {@link io.framebus.manager.SupervisedCamera} service per camera it runs; a watchdog reads
 * {@link io.framebus.manager.CaptureProbe}s, decides, and reports back. The dependency goes one way (watchdog to
 * manager) and this package stays small on purpose.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.framebus.manager;
