package io.framebus.manager.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The JVM options a capture process may be given from configuration: an allow-list, because a configuration value
 * turned into a command line must not become a way to run code ({@code -javaagent:}, {@code -agentlib:},
 * {@code -XX:OnError=}, an {@code @argfile}, a class path) or to write files ({@code -Xlog:...:file=}). What a
 * capture JVM reasonably needs to tune is allowed: heap, stack and metaspace sizes, the garbage collector and its
 * threads, JIT limits, processor count, logging to stderr, class-data sharing on or off, and the few system
 * properties of JavaCPP and the network stack.
 */
final class JvmOptions {
    private static final String SIZE = "\\d{1,12}[kKmMgGtT]?";
    private static final List<Pattern> ALLOWED = List.of(
            Pattern.compile("-X(ms|mx|ss|mn)" + SIZE),
            Pattern.compile("-XX:[+-](UseSerialGC|UseParallelGC|UseG1GC|UseZGC|UseShenandoahGC|UsePerfData"
                    + "|AlwaysPreTouch|UseCompressedOops|UseStringDeduplication|TieredCompilation"
                    + "|UseTransparentHugePages|UseContainerSupport|ExitOnOutOfMemoryError|CrashOnOutOfMemoryError)"),
            Pattern.compile("-XX:(TieredStopAtLevel|CICompilerCount|ActiveProcessorCount|ParallelGCThreads"
                    + "|ConcGCThreads|MaxRAMPercentage|InitialRAMPercentage|MinHeapFreeRatio|MaxHeapFreeRatio)"
                    + "=\\d{1,6}(\\.\\d{1,3})?"),
            Pattern.compile("-XX:(MaxMetaspaceSize|MetaspaceSize|ReservedCodeCacheSize|MaxDirectMemorySize"
                    + "|CompressedClassSpaceSize)=" + SIZE),
            Pattern.compile("-Xshare:(auto|off)"),
            Pattern.compile("-Xlog:disable"),
            // tags and levels to stderr only: an -Xlog output file would be written wherever the value says
            Pattern.compile("-Xlog:[A-Za-z0-9_+*,=-]{1,200}(:stderr)?"),
            Pattern.compile("-Dorg\\.bytedeco\\.javacpp\\.(maxBytes|maxPhysicalBytes|maxRetries|nopointergc"
                    + "|logger\\.debug)=[A-Za-z0-9.]{1,20}"),
            Pattern.compile("-Djava\\.net\\.(preferIPv4Stack|preferIPv6Addresses)=(true|false|system)"),
            Pattern.compile("-Dnetworkaddress\\.cache\\.(negative\\.)?ttl=-?\\d{1,6}"));

    private JvmOptions() {
    }

    /** Options separated by white space, as configured. */
    static List<String> split(String options) {
        List<String> out = new ArrayList<>();
        if (options != null) {
            for (String a : options.trim().split("\\s+")) {
                if (!a.isEmpty()) {
                    out.add(a);
                }
            }
        }
        return List.copyOf(out);
    }

    /** What is refused in {@code options}, or null when every option is allowed. */
    static String problem(List<String> options) {
        List<String> refused = new ArrayList<>();
        for (String o : options) {
            if (ALLOWED.stream().noneMatch(p -> p.matcher(o).matches())) {
                refused.add(o.length() > 40 ? o.substring(0, 37) + "..." : o);
            }
        }
        return refused.isEmpty() ? null : "refuses " + String.join(" ", refused) + ": only heap, stack, metaspace, "
                + "GC, JIT, processor-count, -Xlog (to stderr), -Xshare and a few JavaCPP/network -D options are "
                + "allowed (docs/configuration: jvmArgs)";
    }
}
