package io.bulwark.resilience;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Builds a {@link Pipeline} from a {@link PipelineSpec}; used by the registry and the binder. */
final class PipelineFactory {
  private PipelineFactory() {}

  static Pipeline build(
      String name,
      PipelineSpec spec,
      Function<String, RetryBudget> budgets,
      Scheduler scheduler,
      List<ResilienceListener> listeners) {
    Pipeline.Builder b = Pipeline.builder().name(name).clock(scheduler.clock());
    if (spec.deadline() != null) {
      b.deadline(spec.deadline());
    }
    RetryConfig retry = spec.retry();
    if (retry != null) {
      RetryConfig withBudget = withBudget(retry, spec.retryBudget(), budgets);
      b.with(Retry.of(name + ".retry", withBudget, scheduler));
    }
    HedgeConfig hedge = spec.hedge();
    if (hedge != null) {
      String budget = spec.hedgeBudget();
      HedgeConfig withBudget =
          budget == null ? hedge : hedge.toBuilder().budget(budgets.apply(budget)).build();
      b.with(Hedge.of(name + ".hedge", withBudget, scheduler));
    }
    if (spec.throttle() != null) {
      b.with(AdaptiveThrottle.of(name + ".throttle", spec.throttle(), scheduler));
    }
    if (spec.circuitBreaker() != null) {
      b.with(CircuitBreaker.of(name + ".circuitBreaker", spec.circuitBreaker(), scheduler));
    }
    PipelineSpec.KeyedLimit keyed = spec.keyedRateLimiter();
    if (keyed != null) {
      b.with(
          RateLimiter.keyed(
              name + ".keyedRateLimiter",
              keyed.limit(),
              scheduler,
              keyed.maxKeys(),
              ContextKeys.parse(keyed.key())));
    }
    if (spec.rateLimiter() != null) {
      b.with(RateLimiter.of(name + ".rateLimiter", spec.rateLimiter(), scheduler));
    }
    if (spec.timeout() != null) {
      b.with(Timeout.of(name + ".timeout", spec.timeout(), scheduler));
    }
    if (spec.bulkhead() != null) {
      b.with(Bulkhead.of(name + ".bulkhead", spec.bulkhead(), scheduler));
    }
    if (spec.limit() != null) {
      b.with(ConcurrencyLimiter.of(name + ".limit", spec.limit(), scheduler));
    }
    listeners.forEach(b::listener);
    return b.build();
  }

  private static RetryConfig withBudget(
      RetryConfig retry, @Nullable String budget, Function<String, RetryBudget> budgets) {
    if (budget == null) {
      return retry;
    }
    return retry.toBuilder().budget(budgets.apply(budget)).build();
  }

  /**
   * Checks the composition the spec describes (retry × timeout against the deadline, a breaker one
   * call could open...) by building it with a scheduler that never runs anything.
   *
   * @throws IllegalArgumentException naming the problem
   */
  static void validate(String name, PipelineSpec spec, Map<String, RetryBudgetConfig> budgets) {
    Map<String, RetryBudget> scratch = new HashMap<>();
    build(
        name,
        spec,
        n ->
            scratch.computeIfAbsent(
                n, k -> RetryBudget.of(k, Objects.requireNonNull(budgets.get(k)), Inert.INSTANCE)),
        Inert.INSTANCE,
        List.of());
  }

  /** A scheduler for validation only: policies are built, never run. */
  private enum Inert implements Scheduler {
    INSTANCE;

    @Override
    public Clock clock() {
      return Clock.system();
    }

    @Override
    public ScheduledTask schedule(long delayNanos, Runnable task) {
      throw new UnsupportedOperationException("validation only");
    }

    @Override
    public ScheduledTask scheduleAtFixedRate(
        long initialDelayNanos, long periodNanos, Runnable task) {
      throw new UnsupportedOperationException("validation only");
    }
  }
}
