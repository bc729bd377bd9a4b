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

  static double totalWeight(List<Node> nodes) {
    double w = 0;
    for (Node n : nodes) {
      w += n.weight();
    }
    return w;
  }
}
