package io.framebus.benchmarks;

import io.framebus.cluster.internal.Assignment;
import io.framebus.cluster.internal.CameraDemand;
import io.framebus.cluster.internal.ClusterHost;
import io.framebus.cluster.internal.Placement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cluster's placement for 10,000 cameras over 500 hosts: from nothing, after one host left (its 20 cameras
 * are orphans), after one host joined (it takes its share by rebalancing), and the steady state (nothing changed:
 * what the coordinator computes on every membership or configuration event). The placement runs on one member
 * (the coordinator) per change, so its time is what a change costs once, not per host.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class PlacementBenchmark {

    @Param({"10000"})
    int cameras;

    @Param({"500"})
    int hosts;

    List<ClusterHost> all;
    List<ClusterHost> oneLeft;
    List<ClusterHost> oneJoined;
    List<CameraDemand> demands;
    Map<String, String> steady;

    @Setup
    public void setUp() {
        all = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < hosts; i++) {
            all.add(ClusterHost.of(String.format("host-%04d", i)));
            names.add(String.format("host-%04d", i));
        }
        names.add("host-new");
        oneLeft = new ArrayList<>(all.subList(1, all.size()));
        oneJoined = new ArrayList<>(all);
        oneJoined.add(ClusterHost.of("host-new"));
        demands = new ArrayList<>();
        for (int i = 0; i < cameras; i++) {
            demands.add(new CameraDemand(String.format("cam-%05d", i), 1, Set.of(), names));
        }
        steady = Placement.compute(all, demands, Map.of()).owners();
    }

    @Benchmark
    public Assignment fromNothing() {
        return Placement.compute(all, demands, Map.of());
    }

    @Benchmark
    public Assignment steadyState() {
        return Placement.compute(all, demands, steady);
    }

    @Benchmark
    public Assignment oneHostLeft() {
        return Placement.compute(oneLeft, demands, steady);
    }

    @Benchmark
    public Assignment oneHostJoined() {
        return Placement.compute(oneJoined, demands, steady);
    }
}
