/**
 * The contract between the manager and a capture process, which run in two JVMs: what one writes, the other
 * reads, so both import this package instead of repeating keys and numbers.
 *
 * <ul>
 *   <li>{@link io.framebus.contract.CaptureSettings}: the settings document on the capture process's stdin, with
 *       every key, default and limit, written by {@link io.framebus.contract.CaptureSettings#document()} and
 *       validated once by {@link io.framebus.contract.CaptureSettings#parse(java.util.Properties)} on both
 *       sides;</li>
 *   <li>{@link io.framebus.contract.CaptureOutput} (1.1): a camera's extra outputs, their one-line grammar (the
 *       {@code outputs} key of the camera configuration and of the settings document) and their ring files;</li>
 *   <li>{@link io.framebus.contract.CaptureExit}: the process's exit codes, each transient (restart) or permanent
 *       (restarting cannot help);</li>
 *   <li>{@link io.framebus.contract.CaptureLogLine}: the stderr line format, with a level;</li>
 *   <li>{@link io.framebus.contract.SecretMasker}: the one way to keep camera passwords out of any text a user
 *       sees.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.framebus.contract;
