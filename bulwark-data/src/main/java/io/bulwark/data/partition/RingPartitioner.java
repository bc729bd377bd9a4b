package io.bulwark.data.partition;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A consistent-hash ring with virtual nodes: each node places {@code max(1, round(V × weight))}
 * points on a 64-bit ring (point i of node n at {@code pair(hash(n.id), i)}), and a key belongs to
 * the first point at or after its hash, wrapping around. Lookup is a binary search over a sorted
 * {@code long[]}.
 *
 * <p>Guarantees: a node's share has a relative standard deviation of about {@code 1/√(V·w)}, so
 * max/mean load is about {@code 1 + c·√(ln N / V)}; a joining node takes keys only from others
 * (about its weight share), a leaving node's keys go only to the others, so keys of the remaining
 * nodes never move between them. The owners depend only on the set of nodes (ties between equal
 * points are broken by node id), not on the order given. Immutable and thread-safe.
 */
public final class RingPartitioner implements Partitioner {
  /** Virtual nodes per unit of weight unless told otherwise. */
  public static final int DEFAULT_VNODES = 160;

  private final List<Node> nodes;
  private final int vnodes;
  private final long[] points;
  private final Node[] pointOwner;

  private RingPartitioner(List<Node> nodes, int vnodes) {
    this.nodes = nodes;
    this.vnodes = vnodes;
    int total = 0;
    int[] counts = new int[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      long c = Math.max(1L, Math.round(vnodes * nodes.get(i).weight()));
      if (c > 1_000_000) {
        throw new IllegalArgumentException(
            "ring: node "
                + nodes.get(i).id()
                + " would get "
                + c
                + " virtual nodes (vnodes "
                + vnodes
                + " × weight "
                + nodes.get(i).weight()
                + "); at most 1000000 per node");
      }
      counts[i] = (int) c;
      total += counts[i];
    }
    record Point(long at, Node node) {}
    Point[] all = new Point[total];
    int p = 0;
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      long base = Hashing64.string(n.id());
      for (int v = 0; v < counts[i]; v++) {
        all[p++] = new Point(Hashing64.pair(base, v), n);
      }
    }
    Arrays.sort(
        all,
        (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : a.node.id().compareTo(b.node.id()));
    this.points = new long[total];
    this.pointOwner = new Node[total];
    for (int i = 0; i < total; i++) {
      points[i] = all[i].at;
      pointOwner[i] = all[i].node;
    }
  }

  /**
   * A ring over {@code nodes} with {@code vnodesPerWeight} points per unit of weight.
   *
   * @throws IllegalArgumentException for an empty membership, a duplicate id, or {@code
   *     vnodesPerWeight < 1}
   */
  public static RingPartitioner of(List<Node> nodes, int vnodesPerWeight) {
    if (vnodesPerWeight < 1) {
      throw new IllegalArgumentException(
          "ring: vnodesPerWeight must be >= 1, was " + vnodesPerWeight);
    }
    return new RingPartitioner(Members.checked("ring", nodes), vnodesPerWeight);
  }

  /** The virtual nodes per unit of weight. */
  public int vnodesPerWeight() {
    return vnodes;
  }

  /** The number of points on the ring. */
  public int pointCount() {
    return points.length;
  }

  /**
   * The exact share of the hash space each node owns (the sum of its arcs over 2^64), in {@link
   * #nodes()} order: the balance the ring actually achieved, without sampling keys.
   */
  public Map<Node, Double> shares() {
    Map<String, Double> byId = new HashMap<>();
    for (int i = 0; i < points.length; i++) {
      long prev = points[i == 0 ? points.length - 1 : i - 1];
      long arc = points[i] - prev; // modulo 2^64, read unsigned; a single point owns everything
      double len = points.length == 1 ? 0x1.0p64 : unsigned(arc);
      byId.merge(pointOwner[i].id(), len * 0x1.0p-64, Double::sum);
    }
    Map<Node, Double> out = new LinkedHashMap<>();
    for (Node n : nodes) {
      out.put(n, byId.getOrDefault(n.id(), 0.0));
    }
    return out;
  }

  private static double unsigned(long v) {
    double d = (double) (v >>> 1) * 2.0;
    return d + (v & 1);
  }

  @Override
  public Node owner(long keyHash) {
    return pointOwner[indexOf(keyHash)];
  }

  private int indexOf(long keyHash) {
    int i = Arrays.binarySearch(points, keyHash);
    if (i < 0) {
      i = -i - 1;
    }
    return i == points.length ? 0 : i;
  }

  @Override
  public List<Node> owners(long keyHash, int k) {
    return Members.distinctOwners(pointOwner, indexOf(keyHash), k, nodes.size());
  }

  @Override
  public List<Node> nodes() {
    return nodes;
  }

  @Override
  public Guarantees guarantees() {
    return new Guarantees(
        "ring",
        true,
        true,
        true,
        "max/mean ≈ 1 + O(√(ln N / V)); share of node n ≈ w_n/W ± 1/√(V·w_n) relative",
        "join: only keys moving to the new node (≈ w/W); leave: only the leaving node's keys",
        "O(log(N·V)) binary search over a sorted long[]");
  }

  @Override
  public RingPartitioner withNodes(List<Node> next) {
    return of(next, vnodes);
  }

  @Override
  public String toString() {
    return "RingPartitioner[nodes=" + nodes.size() + ", vnodes=" + vnodes + "]";
  }
}
