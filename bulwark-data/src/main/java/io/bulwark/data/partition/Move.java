package io.bulwark.data.partition;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One step of a rebalance: move a bucket or a key range from one node to another.
 *
 * @param unit the bucket id, or the range's text for a range move
 * @param range the key range for a range move, null for a bucket
 * @param from the node that holds the data now
 * @param to the node that will own it
 * @param bytes its size, as the data owner measured it (0 if unknown)
 */
public record Move(String unit, @Nullable KeyRange range, Node from, Node to, long bytes) {
  public Move {
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (from.id().equals(to.id())) {
      throw new IllegalArgumentException("move of " + unit + ": from and to are both " + to.id());
    }
    if (bytes < 0) {
      throw new IllegalArgumentException("move of " + unit + ": bytes must be >= 0, was " + bytes);
    }
  }
}
