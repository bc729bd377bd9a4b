package io.bulwark.data.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A unit of data that moves as a whole under hash partitioning: the data owner groups its keys into
 * buckets (for example by {@code hash(key) mod B}) and places each bucket by a representative key
 * hash. The rebalance planner compares the owner of each bucket before and after.
 */
public record Bucket(String id, long keyHash, long bytes) {
  public Bucket {
    Objects.requireNonNull(id, "id");
    if (bytes < 0) {
      throw new IllegalArgumentException("bucket " + id + ": bytes must be >= 0, was " + bytes);
    }
  }

  /**
   * {@code count} buckets named "0".."count-1", each of {@code bytesEach}, placed by the mixed
   * bucket number: the usual fixed bucket space.
   */
  public static List<Bucket> uniform(int count, long bytesEach) {
    if (count < 1) {
      throw new IllegalArgumentException("bucket count must be >= 1, was " + count);
    }
    List<Bucket> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(new Bucket(Integer.toString(i), Hashing64.mix(i + 0x9E3779B97F4A7C15L), bytesEach));
    }
    return List.copyOf(out);
  }
}
