package io.bulwark.resilience;

import io.bulwark.core.telemetry.Decisions;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.Telemetry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Maps {@link ResilienceListener} events onto bulwark-core's {@link Telemetry}: every call of a
 * pipeline is one request of the RED series {@code dependency=<pipeline>} with the outcome {@link
 * Outcome#of(Throwable)} gives its failure, and every decision a policy takes (a circuit transition
 * with its reason, a retry with its backoff, a give-up, a rejection, a timeout, a fallback, a
 * hedge, a new concurrency limit) is a {@link Decisions} record: a counter, plus a span event on
 * the current request's span when it is sampled.
 *
 * <pre>{@code
 * Pipeline.builder().with(retry).with(breaker).listener(ResilienceTelemetry.of(telemetry)).build();
 * }</pre>
 *
 * With the OpenTelemetry-backed {@code BulwarkTelemetry} of bulwark-telemetry this becomes metrics
 * and span events; with {@link Telemetry#noop()} it records nothing. Follows the listener contract:
 * fast, never throws, allocation-free for a successful call once the pipeline's recorder is cached.
 */
public final class ResilienceTelemetry implements ResilienceListener {
  private final Telemetry telemetry;
  private final Decisions decisions;
  private final Map<String, RedRecorder> recorders = new ConcurrentHashMap<>();

  private ResilienceTelemetry(Telemetry telemetry) {
    this.telemetry = telemetry;
    this.decisions = telemetry.decisions();
  }

  /** A listener that records into {@code telemetry}. */
  public static ResilienceTelemetry of(Telemetry telemetry) {
    return new ResilienceTelemetry(telemetry);
  }

  @Override
  public void onCallEnded(String pipeline, long durationNanos, @Nullable Throwable failure) {
    recorders
        .computeIfAbsent(pipeline, telemetry::dependency)
        .record(Outcome.of(failure), durationNanos);
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

  private static String label(CircuitBreaker.State state) {
    return state.name().toLowerCase(Locale.ROOT);
  }
}
