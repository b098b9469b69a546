package io.framebus.cluster.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which host runs which camera: a pure function of the live hosts, the cameras and the previous assignment.
 *
 * <p>Three steps, each deterministic (every tie is broken by name, no hash order is ever visible), so the same
 * inputs give the same answer on any machine:
 * <ol>
 *   <li><b>Sticky:</b> a camera stays with its previous owner while that host is alive, may run it and has room.</li>
 *   <li><b>Orphans</b> (new cameras, cameras of departed hosts): heaviest first, each to the least loaded host that
 *       may run it and has room. A camera no host may run is reported with the reason.</li>
 *   <li><b>Rebalance:</b> a camera moves from a more to a less loaded <em>settled</em> host only when that makes the
 *       pair more even, i.e. when its weight is smaller than their difference: with equal weights, only when the
 *       counts differ by more than one. So hosts end within one camera of each other (constraints permitting),
 *       nothing moves that need not, and a host that just (re)joined takes no running camera until it has
 *       settled: a flapping host makes nothing bounce.</li>
 * </ol>
 * Every move lowers the sum of squared loads, so rebalancing ends.
 */
public final class Placement {
    private static final Comparator<Load> LIGHTEST_FIRST = (a, b) -> a == b ? 0 : a.lighterThan(b) ? -1 : 1;

    private Placement() {
    }

    public static Assignment compute(Collection<ClusterHost> hostList, Collection<CameraDemand> cameraList,
                                     Map<String, String> previous) {
        List<Load> loads = new ArrayList<>();
        Map<String, Load> byName = new HashMap<>();
        hostList.stream().sorted(Comparator.comparing(ClusterHost::name)).forEach(h -> {
            if (byName.containsKey(h.name())) {
                throw new IllegalArgumentException("two live members are called " + h.name()
                        + ": every member needs its own hostName");
            }
            Load l = new Load(h);
            loads.add(l);
            byName.put(h.name(), l);
        });
        List<CameraDemand> cameras = new ArrayList<>(cameraList);
        cameras.sort(Comparator.comparing(CameraDemand::id));
        SortedMap<String, String> unplaced = new TreeMap<>();

        List<CameraDemand> orphans = new ArrayList<>();
        for (CameraDemand c : cameras) {
            String before = previous.get(c.id());
            Load owner = before == null ? null : byName.get(before);
            if (owner != null && c.mayRunOn(owner.host) && owner.host.hasRoomFor(owner.count)) {
                owner.add(c);
            } else {
                orphans.add(c);
            }
        }

        orphans.sort(Comparator.comparingLong(CameraDemand::weight).reversed().thenComparing(CameraDemand::id));
        // hosts with room, lightest first: an unconstrained camera takes the first, O(log hosts) per camera
        TreeSet<Load> withRoom = new TreeSet<>(LIGHTEST_FIRST);
        for (Load l : loads) {
            if (l.host.hasRoomFor(l.count)) {
                withRoom.add(l);
            }
        }
        for (CameraDemand c : orphans) {
            Load best = null;
            for (Load l : withRoom) {
                if (c.mayRunOn(l.host)) {
                    best = l;
                    break;
                }
            }
            if (best == null) {
                unplaced.put(c.id(), whyUnplaced(c, loads));
            } else {
                withRoom.remove(best);
                best.add(c);
                if (best.host.hasRoomFor(best.count)) {
                    withRoom.add(best);
                }
            }
        }

        rebalance(loads);

        SortedMap<String, String> owners = new TreeMap<>();
        for (Load l : loads) {
            for (String id : l.cameras.keySet()) {
                owners.put(id, l.host.name());
            }
        }
        int moved = 0;
        for (Map.Entry<String, String> e : owners.entrySet()) {
            String before = previous.get(e.getKey());
            if (before != null && byName.containsKey(before) && !before.equals(e.getValue())) {
                moved++;
            }
        }
        return new Assignment(owners, unplaced, moved);
    }

    private static void rebalance(List<Load> loads) {
        List<Load> order = new ArrayList<>(loads);
        boolean moved = true;
        while (moved) {
            moved = false;
            order.sort(LIGHTEST_FIRST.reversed());
            search:
            for (int hi = 0; hi < order.size(); hi++) {
                Load heavy = order.get(hi);
                for (int lo = order.size() - 1; lo > hi; lo--) {
                    Load light = order.get(lo);
                    long diff = heavy.weight - light.weight;
                    if (diff <= 0) {
                        break; // every lighter candidate is at least as heavy from here on
                    }
                    if (!light.host.settled() || !light.host.hasRoomFor(light.count)) {
                        continue;
                    }
                    CameraDemand pick = null;
                    for (CameraDemand c : heavy.cameras.values()) {
                        if (c.weight() < diff && c.mayRunOn(light.host)
                                && (pick == null || c.weight() > pick.weight())) {
                            pick = c;
                        }
                    }
                    if (pick != null) {
                        heavy.remove(pick);
                        light.add(pick);
                        moved = true;
                        break search;
                    }
                }
            }
        }
    }

    private static String whyUnplaced(CameraDemand c, List<Load> loads) {
        boolean configured = false;
        boolean allowed = false;
        for (Load l : loads) {
            if (c.configuredOn().contains(l.host.name())) {
                configured = true;
                if (c.mayRunOn(l.host)) {
                    allowed = true;
                }
            }
        }
        if (!configured) {
            return "no live member has this camera's configuration (or the members' configurations differ)";
        }
        if (!allowed) {
            return "no live member matches its constraint " + new java.util.TreeSet<>(c.allowedOn());
        }
        return "every live member that may run it is full (maxCameras)";
    }

    /** One host's cameras while placing. */
    private static final class Load {
        final ClusterHost host;
        final TreeMap<String, CameraDemand> cameras = new TreeMap<>();
        long weight;
        int count;

        Load(ClusterHost host) {
            this.host = host;
        }

        void add(CameraDemand c) {
            cameras.put(c.id(), c);
            weight += c.weight();
            count++;
        }

        void remove(CameraDemand c) {
            cameras.remove(c.id());
            weight -= c.weight();
            count--;
        }

        boolean lighterThan(Load o) {
            if (weight != o.weight) {
                return weight < o.weight;
            }
            if (count != o.count) {
                return count < o.count;
            }
            return host.name().compareTo(o.host.name()) < 0;
        }
    }
}
