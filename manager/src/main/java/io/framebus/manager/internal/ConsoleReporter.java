package io.framebus.manager.internal;

import io.framebus.api.SourceStatus;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * What an operator of the plain Felix distribution sees on the terminal: a line per camera every few seconds and
 * the log. Active only with a configuration {@code io.framebus.console} (the Felix distribution ships one; Karaf
 * has its own log and shell, so it is off there).
 */
@Component(configurationPid = ConsoleReporter.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = {})
@Designate(ocd = ConsoleReporter.Config.class)
public final class ConsoleReporter implements LogListener {
    static final String PID = "io.framebus.console";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @ObjectClassDefinition(id = PID, name = "framebus console", description = "Camera status and log lines on the "
            + "terminal of the plain Felix distribution.")
    @interface Config {
        @AttributeDefinition(name = "Status interval (s)", description = "Seconds between status lines; 0 = none.",
                min = "0", max = "3600")
        int statusIntervalSeconds() default 5;

        @AttributeDefinition(name = "Log level", description = "Least severe log level printed: ERROR, WARN, INFO, DEBUG.")
        String logLevel() default "INFO";
    }

    private final CaptureRuntime runtime;
    private final LogReaderService logReader;
    private final PrintStream out = System.out;
    private final ScheduledExecutorService ticker;
    private final LogLevel level;

    @Activate
    public ConsoleReporter(@Reference CaptureRuntime runtime,
                           @Reference(cardinality = ReferenceCardinality.OPTIONAL) LogReaderService logReader,
                           Config config) {
        this.runtime = runtime;
        this.logReader = logReader;
        LogLevel l;
        try {
            l = LogLevel.valueOf(config.logLevel().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            l = LogLevel.INFO;
        }
        this.level = l;
        if (logReader != null) { // optional: without a log reader the console shows status lines only
            logReader.addLogListener(this);
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "framebus-console");
            t.setDaemon(true);
            return t;
        });
        if (config.statusIntervalSeconds() > 0) {
            ticker.scheduleWithFixedDelay(this::printStatus, config.statusIntervalSeconds(),
                    config.statusIntervalSeconds(), TimeUnit.SECONDS);
        }
    }

    @Deactivate
    void deactivate() {
        if (logReader != null) {
            logReader.removeLogListener(this);
        }
        ticker.shutdownNow();
    }

    private void printStatus() {
        String now = LocalTime.now().format(TIME);
        for (Camera c : runtime.cameras()) {
            SourceStatus s = c.status();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s [%s] %-12s %5.1f fps  age %s",
                    now, c.cameraId(), s.state(), s.fps(), FramebusCommands.age(s.latestFrameAge())));
            if (s.restarts() > 0) {
                line.append("  restarts ").append(s.restarts());
            }
            if (!s.state().delivering() && !s.lastError().isEmpty()) {
                line.append("  ").append(s.lastError());
            }
            out.println(line);
        }
    }

    @Override
    public void logged(LogEntry entry) {
        if (!level.implies(entry.getLogLevel())) { // INFO implies WARN and ERROR
            return;
        }
        if (entry.getLoggerName().startsWith("Events.") && !LogLevel.WARN.implies(entry.getLogLevel())
                && level != LogLevel.DEBUG && level != LogLevel.TRACE) {
            return; // the framework's own Bundle/Service/FrameworkEvent entries: noise on a terminal below DEBUG
        }
        out.println(LocalTime.now().format(TIME) + " " + entry.getLogLevel() + " " + entry.getBundle().getSymbolicName()
                + ": " + entry.getMessage() + (entry.getException() == null ? "" : " (" + entry.getException() + ")"));
    }
}
