package io.bulwark.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Orders a pipeline's policies and rejects compositions that cannot work as intended. */
final class PipelineValidator {
  private PipelineValidator() {}

  static List<Policy> order(List<Policy> policies, boolean inOrderGiven) {
    List<Policy> ordered = new ArrayList<>(policies);
    if (!inOrderGiven) {
      ordered.sort(Comparator.comparing(Policy::kind));
    }
    return List.copyOf(ordered);
  }

  static void validate(String pipeline, List<Policy> ordered, @Nullable Duration deadline) {
    List<String> problems = new ArrayList<>();
    IdentityHashMap<Policy, Boolean> seen = new IdentityHashMap<>();
    Retry outerRetry = null;
    for (Policy p : ordered) {
      if (seen.put(p, Boolean.TRUE) != null) {
        problems.add("policy '" + p.name() + "' appears twice");
      }
      if (p instanceof Retry retry) {
        if (outerRetry != null) {
          int product = outerRetry.config().maxAttempts() * retry.config().maxAttempts();
          problems.add(
              "retry '"
                  + retry.name()
                  + "' is inside retry '"
                  + outerRetry.name()
                  + "': attempts multiply ("
                  + outerRetry.config().maxAttempts()
                  + " × "
                  + retry.config().maxAttempts()
                  + " = "
                  + product
                  + ")");
        } else {
          outerRetry = retry;
        }
      }
      if (p instanceof DefaultKeyedRateLimiter<?> keyed && !keyed.hasKeyFunction()) {
        problems.add(
            "keyed rate limiter '"
                + keyed.name()
                + "' has no key function to find each call's key (create it with"
                + " RateLimiter.keyed(name, config, scheduler, maxKeys, keyOf))");
      }
      if (p instanceof CircuitBreaker breaker && outerRetry != null) {
        checkBreakerUnderRetry(outerRetry, breaker, problems);
      }
      if (p instanceof Timeout timeout && outerRetry != null && deadline != null) {
        checkRetriesFitDeadline(outerRetry, timeout, deadline, problems);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "pipeline '" + pipeline + "' is misconfigured: " + String.join("; ", problems));
    }
  }

  /** A breaker inside a retry counts each attempt; one call must not be able to open it. */
  private static void checkBreakerUnderRetry(
      Retry retry, CircuitBreaker breaker, List<String> problems) {
    CircuitBreakerConfig c = breaker.config();
    int minimum =
        c.windowType() == CircuitBreakerConfig.WindowType.COUNT_BASED
            ? Math.min(c.minimumCalls(), c.windowSize())
            : c.minimumCalls();
    int attempts = retry.config().maxAttempts();
    if (attempts >= minimum) {
      problems.add(
          "circuit breaker '"
              + breaker.name()
              + "' counts each attempt of retry '"
              + retry.name()
              + "', and one failing call's "
              + attempts
              + " attempts reach its minimumCalls "
              + minimum
              + " at a 100% failure rate: a single call could open it (raise minimumCalls above "
              + attempts
              + ")");
    }
  }

  private static void checkRetriesFitDeadline(
      Retry retry, Timeout timeout, Duration deadline, List<String> problems) {
    int attempts = retry.config().maxAttempts();
    Duration worst =
        timeout.config().timeout().multipliedBy(attempts).plus(retry.config().maxTotalBackoff());
    if (worst.compareTo(deadline) > 0) {
      problems.add(
          "retry '"
              + retry.name()
              + "' × timeout '"
              + timeout.name()
              + "' can take "
              + worst
              + " ("
              + attempts
              + " attempts × "
              + timeout.config().timeout()
              + " + up to "
              + retry.config().maxTotalBackoff()
              + " backoff), longer than the pipeline deadline "
              + deadline);
    }
  }
}
