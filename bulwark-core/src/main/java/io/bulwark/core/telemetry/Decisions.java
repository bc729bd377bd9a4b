package io.bulwark.core.telemetry;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Records the decisions Bulwark components take — a circuit opening, a retry and its backoff, a
 * shed request, an injected fault. The OpenTelemetry-backed implementation counts each as {@code
 * bulwark_decisions_total{component,decision}} and, when the current request is traced and sampled,
 * adds a span event {@value #EVENT_NAME} on its span that explains why. Listener implementations in
 * other modules call these methods.
 *
 * <p>Contract for implementations: thread-safe, fast and never throws; component and decision names
 * are bounded by the implementation's cardinality guard. {@link #noop()} records nothing.
 */
public interface Decisions {
  /** The name of the span event that explains a decision. */
  String EVENT_NAME = "bulwark.decision";

  /** Decisions that record nothing. */
  static Decisions noop() {
    return NoopTelemetry.DECISIONS;
  }

  /** A generic decision: counted, and explained on the current span with {@code reason}. */
  void record(String component, String decision, String reason);

  /** A circuit breaker changed state, e.g. {@code closed -> open} because of a failure rate. */
  void circuitTransition(String breaker, String from, String to, String reason);

  /** A retry policy will try again after {@code backoff}. */
  void retry(String policy, int attempt, Duration backoff, @Nullable Throwable cause);

  /** A request was shed (limiter, bulkhead, load shedding); its criticality is recorded. */
  void shed(String component, String reason);

  /** A chaos experiment injected a fault into the current request. */
  void faultInjected(String experiment, String fault);
}
