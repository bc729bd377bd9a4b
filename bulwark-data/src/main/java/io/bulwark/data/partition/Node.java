package io.bulwark.data.partition;

import java.util.Objects;

/**
 * A member of a partitioned cluster: a stable id (what keys map to) and a relative weight (1.0 is
 * an ordinary node; 2.0 should own about twice the keys where the algorithm supports weights).
 */
public record Node(String id, double weight) {
  public Node {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("node id must not be blank");
    }
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException(
          "node " + id + ": weight must be a finite number > 0, was " + weight);
    }
  }

  /** A node of weight 1. */
  public static Node of(String id) {
    return new Node(id, 1.0);
  }
}
