package io.bulwark.runtime.autoscale;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Recorded traces for the policy tests: samples every {@code stepSeconds}, built piece by piece.
 */
final class Traces {
  private final List<LoadSample> samples = new ArrayList<>();
  private final long stepNanos;
  private long next;

  private Traces(long stepSeconds) {
    this.stepNanos = TimeUnit.SECONDS.toNanos(stepSeconds);
  }

  static Traces every(long stepSeconds) {
    return new Traces(stepSeconds);
  }

  static long sec(long seconds) {
    return TimeUnit.SECONDS.toNanos(seconds);
  }

  /** {@code count} load samples at {@code rate} req/s with {@code instances} ready. */
  Traces load(int count, int instances, double rate) {
    for (int i = 0; i < count; i++) {
      add(LoadSample.ofLoad(next, instances, rate, 0));
    }
    return this;
  }

  /** {@code count} samples of {@code concurrency} in flight with {@code instances} ready. */
  Traces concurrency(int count, int instances, double concurrency) {
    for (int i = 0; i < count; i++) {
      add(LoadSample.ofLoad(next, instances, 0, concurrency));
    }
    return this;
  }

  /** {@code count} samples of consumer lag {@code lag} with {@code instances}. */
  Traces lag(int count, int instances, long lag) {
    for (int i = 0; i < count; i++) {
      add(LoadSample.ofLag(next, instances, lag));
    }
    return this;
  }

  private void add(LoadSample s) {
    samples.add(s);
    next += stepNanos;
  }

  /** The instant of the last sample. */
  long last() {
    return next - stepNanos;
  }

  History history() {
    return History.of(samples);
  }
}
