package io.bulwark.data.partition;

import java.util.Objects;

/**
 * One shard of a {@link RangeIndex}: a key range, its owner, and what the data owner measured of it
 * (bytes stored, load in any unit such as requests per second) for split and merge decisions.
 */
public record RangeShard(KeyRange range, Node owner, long bytes, double load) {
  public RangeShard {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(owner, "owner");
    if (bytes < 0) {
      throw new IllegalArgumentException("shard " + range + ": bytes must be >= 0, was " + bytes);
    }
    if (!(load >= 0) || Double.isInfinite(load)) {
      throw new IllegalArgumentException(
          "shard " + range + ": load must be a finite number >= 0, was " + load);
    }
  }
}
