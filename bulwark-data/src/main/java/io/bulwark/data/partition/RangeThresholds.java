package io.bulwark.data.partition;

/**
 * When a range shard is split or merged: split above {@code maxBytes} or {@code maxLoad}; merge two
 * neighbours when one is below {@code minBytes} and {@code minLoad} and the merged shard stays at
 * or under both maxima (so a merge never triggers a split). The constructor rejects all but {@code
 * 0 <= minBytes < maxBytes} and {@code 0 <= minLoad < maxLoad} (finite), naming the bad value.
 */
public record RangeThresholds(long maxBytes, long minBytes, double maxLoad, double minLoad) {
  public RangeThresholds {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("range thresholds: maxBytes must be > 0, was " + maxBytes);
    }
    if (minBytes < 0 || minBytes >= maxBytes) {
      throw new IllegalArgumentException(
          "range thresholds: minBytes must be >= 0 and < maxBytes ("
              + maxBytes
              + "), was "
              + minBytes);
    }
    if (!(maxLoad > 0) || Double.isInfinite(maxLoad)) {
      throw new IllegalArgumentException(
          "range thresholds: maxLoad must be a finite number > 0, was " + maxLoad);
    }
    if (!(minLoad >= 0) || minLoad >= maxLoad) {
      throw new IllegalArgumentException(
          "range thresholds: minLoad must be >= 0 and < maxLoad (" + maxLoad + "), was " + minLoad);
    }
  }

  /** Split and merge by size only. */
  public static RangeThresholds bySize(long maxBytes, long minBytes) {
    return new RangeThresholds(maxBytes, minBytes, Double.MAX_VALUE, Double.MAX_VALUE / 2);
  }

  /** Split and merge by load only. */
  public static RangeThresholds byLoad(double maxLoad, double minLoad) {
    return new RangeThresholds(Long.MAX_VALUE, Long.MAX_VALUE / 2, maxLoad, minLoad);
  }
}
