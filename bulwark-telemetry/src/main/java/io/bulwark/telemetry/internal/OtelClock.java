package io.bulwark.telemetry.internal;

import io.bulwark.core.time.Clock;

/** Bulwark's {@link Clock} as the OTel SDK clock, so span times follow virtual time in tests. */
public final class OtelClock implements io.opentelemetry.sdk.common.Clock {
  private final Clock clock;
  private final long offsetNanos;

  public OtelClock(Clock clock) {
    this.clock = clock;
    this.offsetNanos = clock.wallMillis() * 1_000_000L - clock.nanoTime();
  }

  @Override
  public long now() {
    return clock.nanoTime() + offsetNanos;
  }

  @Override
  public long nanoTime() {
    return clock.nanoTime();
  }
}
