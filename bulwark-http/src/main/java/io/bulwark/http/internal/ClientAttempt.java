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
 * <p>Confined to the calling thread except {@link #inflight}, which the event loop sets, and the
 * event-loop context the exchange was issued on ({@link #issuedOn}). The one object an attempt
 * allocates for its own bookkeeping.
 */
final class ClientAttempt {
  final EndpointState endpoint;
  private final CircuitBreaker.@Nullable Permit permit;
  private volatile @Nullable HttpClientRequest inflight;
  private volatile io.vertx.core.@Nullable Context issuedOn;
  private boolean success;
  private boolean counts = true;
  private @Nullable HttpCallException failure;

  /** Which attempt of its call this is: 0 first, 1 the first resend (sent as bulwark-attempt). */
  int resend;

  ClientAttempt(EndpointState endpoint, CircuitBreaker.@Nullable Permit permit) {
    this.endpoint = endpoint;
    this.permit = permit;
  }

  String endpointId() {
    return endpoint.id();
  }

  /** The exchange is issued on {@code eventLoop} (called by the caller before it is issued). */
  void issuedOn(io.vertx.core.Context eventLoop) {
    issuedOn = eventLoop;
  }

  /** The request went out (called on the event loop). */
  void sent(HttpClientRequest request) {
    inflight = request;
  }

  /** Resets the request in flight, if any, on the event-loop context that issued it. */
  void reset() {
    HttpClientRequest r = inflight;
    io.vertx.core.Context eventLoop = issuedOn;
    if (r != null && eventLoop != null) {
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
