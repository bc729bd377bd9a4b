package io.bulwark.bench.saga;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The latency of each durable unit of a saga, in microseconds: {@link #START} (the start and its
 * commit; the database loop and Bulwark measure it, DBOS not) and the three steps, each spanning
 * the step's action and the commit of its result (how each driver measures that is in its class
 * comment). Records only while {@link #recording}.
 */
final class StepTimes {
  static final int START = 0;
  static final String[] NAMES = {"start", "reserve", "charge", "ship"};

  private final Histogram[] histograms = new Histogram[NAMES.length];
  private volatile boolean recording;

  StepTimes() {
    for (int i = 0; i < histograms.length; i++) {
      histograms[i] = new ConcurrentHistogram(3_600_000_000L, 3);
    }
  }

  void recording(boolean on) {
    recording = on;
  }

  /** Records unit {@code index} that started at {@code startNanos} and ended now. */
  void record(int index, long startNanos) {
    if (recording) {
      long micros = Math.max(1, (System.nanoTime() - startNanos) / 1_000);
      histograms[index].recordValue(Math.min(micros, 3_600_000_000L));
    }
  }

  Histogram unit(int index) {
    return histograms[index];
  }

  /** The three steps together (the start excluded). */
  Histogram steps() {
    Histogram all = new Histogram(3_600_000_000L, 3);
    for (int i = 1; i < histograms.length; i++) {
      all.add(histograms[i]);
    }
    return all;
  }
}
