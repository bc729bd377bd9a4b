package io.bulwark.http.internal;

import io.bulwark.http.client.HttpCallException;
import io.bulwark.http.lb.EndpointState;
import io.bulwark.resilience.CircuitBreaker;
import io.vertx.core.http.HttpClientRequest;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of a client call on the endpoint chosen for it: the endpoint's breaker permit (if it
 * has a breaker), the request in flight on the event loop (reset when the attempt gives up) and the
 * attempt's verdict, which {@link ClientEngine} feeds to the balancer, outlier detection and the
 * breaker when the attempt ends.
 *
 * <p>Confined to the calling thread except {@link #inflight}, which the event loop sets. The one
 * object an attempt allocates for its own bookkeeping.
 */
final class ClientAttempt {
  final EndpointState endpoint;
  private final CircuitBreaker.@Nullable Permit permit;
  private volatile @Nullable HttpClientRequest inflight;
  private boolean success;
  private boolean counts = true;
  private @Nullable HttpCallException failure;

  ClientAttempt(EndpointState endpoint, CircuitBreaker.@Nullable Permit permit) {
    this.endpoint = endpoint;
    this.permit = permit;
  }

  String endpointId() {
    return endpoint.id();
  }

  /** The request went out (called on the event loop). */
  void sent(HttpClientRequest request) {
    inflight = request;
  }

  /** Resets the request in flight, if any, on {@code eventLoop}. */
  void reset(io.vertx.core.Context eventLoop) {
    HttpClientRequest r = inflight;
    if (r != null) {
      eventLoop.runOnContext(v -> r.reset());
    }
  }

  /** The endpoint answered below 500. */
  void succeeded() {
    success = true;
  }

  /** The endpoint failed the attempt (5xx, connection, timeout): held against it. */
  HttpCallException failed(HttpCallException e) {
    failure = e;
    return e;
  }

  /** The attempt ended for a reason that says nothing about the endpoint (deadline, interrupt). */
  void notCounted() {
    counts = false;
  }

  /** Whether the outcome is held for or against the endpoint (outlier detection, breaker). */
  boolean counts() {
    return counts;
  }

  boolean success() {
    return success;
  }

  /** Nothing was sent: gives a half-open probe permit back so that it cannot leak. */
  void release() {
    if (permit != null) {
      permit.release();
    }
  }

  /**
   * Records the attempt in its endpoint's breaker: an answer below 500 is a success; 5xx, a failed
   * connection or the attempt's timeout a failure; a caller's deadline that passed or an interrupt
   * says nothing about the endpoint and is not recorded.
   */
  void judge(long tookNanos) {
    CircuitBreaker.Permit p = permit;
    if (p == null) {
      return;
    }
    if (!counts) {
      p.release();
    } else if (success) {
      p.onResult(tookNanos, null);
    } else {
      p.onResult(
          tookNanos, failure != null ? failure : new IllegalStateException("attempt failed"));
    }
  }
}
