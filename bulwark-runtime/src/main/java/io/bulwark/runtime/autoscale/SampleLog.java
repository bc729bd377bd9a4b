package io.bulwark.runtime.autoscale;

import io.bulwark.core.config.Checks;
import java.time.Duration;
import java.util.Arrays;

/**
 * An append-only record of samples, keeping those of the last {@code retention}. Not thread-safe:
 * one writer (the autoscaler's timer task or the simulator). {@link #history()} is a read-only view
 * of what was recorded so far, which later appends and trimming leave unchanged.
 */
public final class SampleLog {
  private final long retentionNanos;
  private LoadSample[] buf = new LoadSample[64];
  private int from;
  private int to;

  /** A log keeping the samples of the last {@code retention}. */
  public SampleLog(Duration retention) {
    this.retentionNanos = Checks.positive("retention", retention).toNanos();
  }

  /**
   * Records {@code sample}.
   *
   * @throws IllegalArgumentException naming both instants when it is older than the last one
   */
  public void append(LoadSample sample) {
    if (to > from && sample.atNanos() < buf[to - 1].atNanos()) {
      throw new IllegalArgumentException(
          "sample at "
              + sample.atNanos()
              + " ns is older than the last recorded one at "
              + buf[to - 1].atNanos()
              + " ns");
    }
    long oldest = sample.atNanos() - retentionNanos;
    while (from < to && buf[from].atNanos() < oldest) {
      from++;
    }
    if (to == buf.length) {
      // a fresh array: views handed out keep the old one, unchanged
      int live = to - from;
      LoadSample[] next = new LoadSample[Math.max(64, live * 2)];
      System.arraycopy(buf, from, next, 0, live);
      buf = next;
      from = 0;
      to = live;
    }
    buf[to++] = sample;
  }

  /** The samples recorded so far (within retention), as a history that never changes. */
  public History history() {
    return new History(buf, from, to);
  }

  public int size() {
    return to - from;
  }

  @Override
  public String toString() {
    return "SampleLog" + Arrays.asList(buf).subList(from, to);
  }
}
