package io.bulwark.telemetry;

import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.error.ErrorClassifier;
import io.bulwark.core.error.RejectedException;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.Rejection;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.resilience.TimeoutExceededException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Maps the resilience module's {@link ResilienceListener} events onto telemetry: every call of a
 * pipeline is one request of the RED series {@code dependency=<pipeline>}, and every decision a
 * policy takes (a circuit transition with its reason, a retry with its backoff, a give-up, a
 * rejection, a timeout, a fallback, a hedge, a new concurrency limit) is a {@link Decisions}
 * record: a counter, plus a span event on the current request's span when it is sampled.
 *
 * <pre>{@code
 * Pipeline.builder().with(retry).with(breaker).listener(ResilienceTelemetry.of(telemetry)).build();
 * }</pre>
 *
 * Follows the listener contract: fast, never throws, allocation-free for a successful call once the
 * pipeline's recorder is cached.
 */
public final class ResilienceTelemetry implements ResilienceListener {
  private final BulwarkTelemetry telemetry;
  private final Decisions decisions;
  private final Map<String, RedRecorder> recorders = new ConcurrentHashMap<>();

  private ResilienceTelemetry(BulwarkTelemetry telemetry) {
    this.telemetry = telemetry;
    this.decisions = telemetry.decisions();
  }

  /** A listener that records into {@code telemetry}. */
  public static ResilienceTelemetry of(BulwarkTelemetry telemetry) {
    return new ResilienceTelemetry(telemetry);
  }

  @Override
  public void onCallEnded(String pipeline, long durationNanos, @Nullable Throwable failure) {
    recorders
        .computeIfAbsent(pipeline, telemetry::dependency)
        .record(outcomeOf(failure), durationNanos);
  }

  @Override
  public void onStateTransition(String breaker, CircuitBreaker.Transition transition) {
    decisions.circuitTransition(
        breaker, label(transition.from()), label(transition.to()), transition.reason());
  }

  @Override
  public void onRejected(String policy, Rejection rejection) {
    decisions.shed(policy, rejection.label());
  }

  @Override
  public void onRetry(String retry, int nextAttempt, long delayNanos, Throwable failure) {
    decisions.retry(retry, nextAttempt, Duration.ofNanos(delayNanos), failure);
  }

  @Override
  public void onRetryGivenUp(String retry, int attempts, String reason, Throwable failure) {
    decisions.record(retry, "retry_given_up", reason + " after " + attempts + " attempts");
  }

  @Override
  public void onTimeout(String policy, long timeoutNanos) {
    decisions.record(policy, "timeout", "no answer within " + Duration.ofNanos(timeoutNanos));
  }

  @Override
  public void onFallback(String policy, Throwable failure) {
    decisions.record(policy, "fallback", failure.getClass().getSimpleName());
  }

  @Override
  public void onHedge(String policy, int attempt) {
    decisions.record(policy, "hedge", "backup attempt " + attempt);
  }

  @Override
  public void onLimitChanged(String limiter, int oldLimit, int newLimit) {
    decisions.record(
        limiter,
        newLimit > oldLimit ? "limit_raised" : "limit_lowered",
        oldLimit + " -> " + newLimit);
  }

  /** How a call that ended with {@code failure} (null: success) counts in the RED series. */
  static Outcome outcomeOf(@Nullable Throwable failure) {
    if (failure == null) {
      return Outcome.SUCCESS;
    }
    Throwable t = ErrorClassifier.unwrap(failure);
    return switch (t) {
      case DeadlineExceededException d -> Outcome.TIMEOUT;
      case TimeoutExceededException d -> Outcome.TIMEOUT;
      case TimeoutException d -> Outcome.TIMEOUT;
      case RejectedException r -> Outcome.REJECTED;
      default -> Outcome.ERROR;
    };
  }

  private static String label(CircuitBreaker.State state) {
    return state.name().toLowerCase(Locale.ROOT);
  }
}
