package io.bulwark.runtime.autoscale;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Recorded samples in time order, read-only: what a {@link ScalingPolicy} decides from. A history
 * never changes once made; {@link SampleLog#history()} hands out views that later appends do not
 * touch.
 */
public final class History {
  private static final History EMPTY = new History(new LoadSample[0], 0, 0);

  private final LoadSample[] samples;
  private final int from;
  private final int to;

  History(LoadSample[] samples, int from, int to) {
    this.samples = samples;
    this.from = from;
    this.to = to;
  }

  /**
   * A history of {@code samples} (copied).
   *
   * @throws IllegalArgumentException naming the index when a sample is older than the one before
   */
  public static History of(List<LoadSample> samples) {
    LoadSample[] copy = samples.toArray(new LoadSample[0]);
    for (int i = 1; i < copy.length; i++) {
      if (copy[i].atNanos() < copy[i - 1].atNanos()) {
        throw new IllegalArgumentException(
            "history sample "
                + i
                + " at "
                + copy[i].atNanos()
                + " ns is older than sample "
                + (i - 1)
                + " at "
                + copy[i - 1].atNanos()
                + " ns: samples must be in time order");
      }
    }
    return copy.length == 0 ? EMPTY : new History(copy, 0, copy.length);
  }

  public static History empty() {
    return EMPTY;
  }

  public int size() {
    return to - from;
  }

  public boolean isEmpty() {
    return to == from;
  }

  /** The {@code i}-th sample, oldest first. */
  public LoadSample get(int i) {
    if (i < 0 || i >= size()) {
      throw new IndexOutOfBoundsException("sample " + i + " of a history of " + size());
    }
    return samples[from + i];
  }

  /** The newest sample; throws naming the problem when the history is empty. */
  public LoadSample latest() {
    if (isEmpty()) {
      throw new IllegalArgumentException("history is empty: no sample to decide from");
    }
    return samples[to - 1];
  }

  /** The samples taken in {@code (fromNanos, toNanos]}. */
  public History window(long fromNanos, long toNanos) {
    int lo = firstAfter(fromNanos);
    int hi = firstAfter(toNanos);
    return lo >= hi ? EMPTY : new History(samples, lo, hi);
  }

  /** The samples taken at or before {@code nowNanos}. */
  public History upTo(long nowNanos) {
    return new History(samples, from, firstAfter(nowNanos));
  }

  /** The mean of {@code metric} over the samples, 0 when there is none. */
  public double mean(ToDoubleFunction<LoadSample> metric) {
    if (isEmpty()) {
      return 0;
    }
    double sum = 0;
    for (int i = from; i < to; i++) {
      sum += metric.applyAsDouble(samples[i]);
    }
    return sum / size();
  }

  /** The largest value of {@code metric} over the samples, 0 when there is none. */
  public double max(ToDoubleFunction<LoadSample> metric) {
    double max = 0;
    for (int i = from; i < to; i++) {
      max = Math.max(max, metric.applyAsDouble(samples[i]));
    }
    return max;
  }

  /** The samples as a read-only list. */
  public List<LoadSample> samples() {
    return new AbstractList<>() {
      @Override
      public LoadSample get(int index) {
        return History.this.get(index);
      }

      @Override
      public int size() {
        return History.this.size();
      }
    };
  }

  /** Throws unless the history has a sample and none after {@code nowNanos}. */
  void requireDecidableAt(long nowNanos) {
    LoadSample last = latest();
    if (last.atNanos() > nowNanos) {
      throw new IllegalArgumentException(
          "history ends at "
              + last.atNanos()
              + " ns, after the decision instant "
              + nowNanos
              + " ns: a policy must not see the future");
    }
  }

  /** Index (absolute) of the first sample taken after {@code nanos}. */
  private int firstAfter(long nanos) {
    int lo = from;
    int hi = to;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (samples[mid].atNanos() <= nanos) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  @Override
  public String toString() {
    return "History" + Arrays.asList(samples).subList(from, to);
  }
}
