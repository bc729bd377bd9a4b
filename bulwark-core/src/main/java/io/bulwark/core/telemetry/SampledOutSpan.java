package io.bulwark.core.telemetry;

import io.bulwark.core.context.Context;

/** A span that was not sampled: the work runs under {@code context} and nothing is recorded. */
record SampledOutSpan(Context context) implements TelemetrySpan {
  static final TelemetrySpan NONE = new SampledOutSpan(Context.root());

  @Override
  public boolean isRecording() {
    return false;
  }

  @Override
  public void event(String name) {}

  @Override
  public void fail(Throwable error) {}

  @Override
  public void fail(String description) {}

  @Override
  public void attribute(String key, String value) {}

  @Override
  public void attribute(String key, long value) {}

  @Override
  public void end() {}
}
