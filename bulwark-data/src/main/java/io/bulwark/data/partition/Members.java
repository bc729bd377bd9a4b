package io.bulwark.data.partition;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Membership validation shared by every partitioner. */
final class Members {
  private Members() {}

  /** An immutable copy of {@code nodes}, after checking it is non-empty and has unique ids. */
  static List<Node> checked(String algorithm, List<Node> nodes) {
    Objects.requireNonNull(nodes, "nodes");
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException(algorithm + ": membership must not be empty");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      if (n == null) {
        throw new NullPointerException(algorithm + ": nodes[" + i + "] is null");
      }
      if (!seen.add(n.id())) {
        throw new IllegalArgumentException(
            algorithm + ": duplicate node id '" + n.id() + "' at nodes[" + i + "]");
      }
    }
    return List.copyOf(nodes);
  }

  static void checkK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k (number of owners) must be >= 1, was " + k);
    }
  }

  /**
   * The first {@code k} distinct owners met walking a circular table (ring points, Maglev slots)
   * from {@code start}, wrapping once; at most the number of members.
   */
  static List<Node> distinctOwners(Node[] table, int start, int k, int members) {
    checkK(k);
    int want = Math.min(k, members);
    List<Node> out = new java.util.ArrayList<>(want);
    Set<Node> picked = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    int i = start;
    for (int step = 0; step < table.length && out.size() < want; step++) {
      Node n = table[i];
      if (picked.add(n)) {
        out.add(n);
      }
      i = i + 1 == table.length ? 0 : i + 1;
    }
    return List.copyOf(out);
  }

  static double totalWeight(List<Node> nodes) {
    double w = 0;
    for (Node n : nodes) {
      w += n.weight();
    }
    return w;
  }
}
