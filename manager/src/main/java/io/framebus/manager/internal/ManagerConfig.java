package io.framebus.manager.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Manager-wide settings, PID {@code io.framebus.manager}; every attribute is optional. */
@ObjectClassDefinition(
        id = ManagerConfig.PID,
        name = "framebus manager",
        description = "Where rings and the capture program live, and how capture processes are started.")
@interface ManagerConfig {
    String PID = "io.framebus.manager";
    String DEFAULT_CAPTURE_JVM_ARGS = "-Xms8m -Xmx64m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "
            + "-XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr";

    @AttributeDefinition(name = "Ring directory", description = "Directory of the shared-memory rings (mode 0700); "
            + "empty = /dev/shm/framebus-<user>.", required = false)
    String ringDirectory() default "";

    @AttributeDefinition(name = "Capture-process home", description = "Folder holding the capture program (lib/*.jar); "
            + "empty = the framework property framebus.capture.home, else <karaf.base> (or <karaf.home>)/framebus/capture, else ./capture.",
            required = false)
    String captureHome() default "";

    @AttributeDefinition(name = "Java executable", description = "java used for capture processes: an absolute path "
            + "to an executable named java that only its owner can change; empty = the java of the running JVM.",
            required = false)
    String javaExecutable() default "";

    @AttributeDefinition(name = "Capture JVM options", description = "Options for every capture JVM, separated by "
            + "spaces: a small heap and the serial collector keep 16 cameras cheap; JVM warnings go to stderr, "
            + "because stdout is the frame doorbell. The same allow-list as a camera's jvmArgs applies.")
    String captureJvmArgs() default DEFAULT_CAPTURE_JVM_ARGS;

    @AttributeDefinition(name = "Class-data sharing", description = "Make (once, in the background) and use an "
            + "application class-data archive that every capture JVM maps: less memory per camera, faster starts.")
    boolean classDataSharing() default true;

    @AttributeDefinition(name = "Standby capture process", description = "Keep one capture JVM started ahead of need "
            + "(classes and FFmpeg loaded, no camera, no CPU while it waits): the next camera that starts or restarts "
            + "takes it and skips the JVM start. Costs the memory of one idle capture process.")
    boolean standbyProcess() default true;

    @AttributeDefinition(name = "Native library cache", description = "Where JavaCPP unpacks FFmpeg's libraries for "
            + "the capture processes, and where the class-data archive is kept: a private directory (created 0700; "
            + "refused when it is a symbolic link, another user's or open to others); empty = "
            + "<java.io.tmpdir>/framebus-javacpp-<user>.",
            required = false)
    String nativeCacheDirectory() default "";

    @AttributeDefinition(name = "Maximum cameras", description = "Cameras beyond this count are refused (INVALID).",
            min = "1", max = "1024")
    int maxCameras() default 64;

    @AttributeDefinition(name = "Require a cluster placement", description = "Run a camera only where a cluster "
            + "placement (the io.framebus.cluster bundle) puts it; while there is none, no camera runs. Set it on every "
            + "host of a cluster, so that a host that is starting, or whose cluster bundle stopped, runs nothing "
            + "another host may run. False (single host): every camera runs here unless a placement says otherwise.")
    boolean requirePlacement() default false;
}
