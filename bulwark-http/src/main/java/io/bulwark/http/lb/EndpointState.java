package io.bulwark.http.lb;

import io.bulwark.core.time.Clock;
import io.bulwark.http.discovery.Endpoint;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live load of one endpoint as a client sees it: requests in flight and a peak-sensitive
 * exponentially weighted moving average of latency (peak EWMA: a sample above the average replaces
 * it at once; lower samples pull it down with decay {@code exp(-Δt/τ)}), plus when the endpoint
 * appeared (for slow start). Thread-safe; updates of the average take a tiny lock, reads (a
 * balancer's pick) take none.
 */
public final class EndpointState {
  private final Endpoint endpoint;
  private final Clock clock;
  private final long decayNanos;
  private final long addedAtNanos;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile double ewmaNanos;
  private long lastUpdateNanos;

  /**
   * @param decayNanos the EWMA time constant τ (how fast old latency is forgotten)
   */
  public EndpointState(Endpoint endpoint, Clock clock, long decayNanos) {
    if (decayNanos <= 0) {
      throw new IllegalArgumentException("decayNanos must be positive, was " + decayNanos);
    }
    this.endpoint = endpoint;
    this.clock = clock;
    this.decayNanos = decayNanos;
    this.addedAtNanos = clock.nanoTime();
    this.lastUpdateNanos = addedAtNanos;
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  public String id() {
    return endpoint.id();
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** When this endpoint was first seen, on the clock. */
  public long addedAtNanos() {
    return addedAtNanos;
  }

  /** A request to this endpoint starts. */
  public void onStart() {
    inFlight.incrementAndGet();
  }

  /** A request to this endpoint finished after {@code latencyNanos} (also for failures). */
  public void onComplete(long latencyNanos) {
    inFlight.decrementAndGet();
    observe(latencyNanos);
  }

  /** Adds a latency sample to the peak EWMA without touching the in-flight count. */
  public synchronized void observe(long latencyNanos) {
    long now = clock.nanoTime();
    double sample = Math.max(0, latencyNanos);
    if (sample > ewmaNanos) {
      ewmaNanos = sample;
    } else {
      double elapsed = Math.max(0, now - lastUpdateNanos);
      double w = Math.exp(-elapsed / decayNanos);
      ewmaNanos = ewmaNanos * w + sample * (1 - w);
    }
    lastUpdateNanos = now;
  }

  /** The current peak-EWMA latency in nanoseconds (0 before the first sample). */
  public double ewmaNanos() {
    return ewmaNanos;
  }

  @Override
  public String toString() {
    return "EndpointState[" + endpoint.id() + ", inFlight=" + inFlight.get() + "]";
  }
}
