package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.ErrorClassifier;
import io.bulwark.core.time.Scheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The retry policy; see {@link Retry}. */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class DefaultRetry implements Retry, Stage {
  private final String name;
  private final RetryConfig config;
  private final Scheduler scheduler;
  private final DoubleSupplier random;
  private final @Nullable RetryBudget budget;
  private final long initialNanos;
  private final long maxNanos;
  private final long minAttemptNanos;
  private final boolean checksResults;
  private final ListenerSet listeners = new ListenerSet();

  DefaultRetry(String name, RetryConfig config, Scheduler scheduler, DoubleSupplier random) {
    this.name = Checks.notBlank("name", name);
    this.config = config;
    this.scheduler = scheduler;
    this.random = random;
    this.budget = config.budget();
    this.initialNanos = Scheduler.saturatedNanos(config.initialDelay());
    this.maxNanos = Scheduler.saturatedNanos(config.maxDelay());
    this.minAttemptNanos = Scheduler.saturatedNanos(config.minAttemptTime());
    this.checksResults = config.retryOnResult() != CircuitBreakerConfig.NO_RESULT;
  }

  /** Stands for a result that {@code retryOnResult} accepted, in listener events. Stackless. */
  static final class RetriedResult extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RetriedResult(@Nullable Object result) {
      super("result " + result + " accepted by retryOnResult", null, false, false);
    }
  }

  private boolean retriesResult(@Nullable Object result) {
    return checksResults && config.retryOnResult().test(result);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PolicyKind kind() {
    return PolicyKind.RETRY;
  }

  @Override
  public void addListener(ResilienceListener listener) {
    listeners.add(listener);
  }

  @Override
  public RetryConfig config() {
    return config;
  }

  @Override
  public long backoffNanos(int retry, long previousDelayNanos) {
    return switch (config.jitter()) {
      case NONE -> exponential(retry);
      case FULL -> (long) (random.getAsDouble() * exponential(retry));
      case DECORRELATED -> {
        long low = initialNanos;
        long high = Math.max(low, Math.min(maxNanos, 3 * Math.max(previousDelayNanos, low)));
        yield Math.min(maxNanos, low + (long) (random.getAsDouble() * (high - low)));
      }
    };
  }

  private long exponential(int retry) {
    double delay = (double) initialNanos * Math.pow(config.multiplier(), retry - 1);
    return (long) Math.min((double) maxNanos, delay);
  }

  /**
   * The delay before attempt {@code attempt + 1}, or -1 after reporting why not to retry.
   *
   * @param attempt the attempt that just failed (1-based)
   */
  long nextDelay(int attempt, long previousDelay, Throwable failure, @Nullable Deadline deadline) {
    Throwable cause = ErrorClassifier.unwrap(failure);
    String refusal = null;
    long delay = 0;
    if (!(cause instanceof RetriedResult)
        && (config.ignorePredicate().test(cause) || !config.retryOn().test(cause))) {
      refusal = "not retriable";
    } else if (attempt >= config.maxAttempts()) {
      refusal = "attempts exhausted";
    } else {
      delay = backoffNanos(attempt, previousDelay);
      if (deadline != null && deadline.remainingNanos() - delay <= minAttemptNanos) {
        refusal = "deadline leaves no time for another attempt";
      } else if (budget != null && !budget.tryAcquire()) {
        refusal = "retry budget '" + budget.name() + "' exhausted";
      }
    }
    if (refusal != null) {
      listeners.retryGivenUp(name, attempt, refusal, cause);
      return -1;
    }
    listeners.retry(name, attempt + 1, delay, cause);
    return delay;
  }

  @Override
  public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
      throws Exception {
    if (budget != null) {
      budget.recordRequest();
    }
    long delay = initialNanos;
    for (int attempt = 1; ; attempt++) {
      T result;
      try {
        result = chain.stage(next).execute(chain, next + 1, task);
      } catch (Exception failure) {
        delay = nextDelay(attempt, delay, failure, Context.current().deadline());
        if (delay < 0) {
          throw failure;
        }
        pause(delay);
        continue;
      }
      if (!retriesResult(result)) {
        return result;
      }
      delay = nextDelay(attempt, delay, new RetriedResult(result), Context.current().deadline());
      if (delay < 0) {
        return result;
      }
      pause(delay);
    }
  }

  private void pause(long delayNanos) throws InterruptedException {
    if (delayNanos <= 0) {
      return;
    }
    CountDownLatch due = new CountDownLatch(1);
    scheduler.schedule(delayNanos, due::countDown);
    due.await();
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
    if (budget != null) {
      budget.recordRequest();
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    new AsyncAttempts<>(chain, next, task, result, Context.current()).attempt(1, initialNanos);
    return result;
  }

  /** The attempts of one asynchronous call; re-attempts run under the caller's context. */
  private final class AsyncAttempts<T extends @Nullable Object> {
    private final AsyncChain chain;
    private final int next;
    private final Supplier<? extends CompletionStage<T>> task;
    private final CompletableFuture<T> result;
    private final Context context;

    AsyncAttempts(
        AsyncChain chain,
        int next,
        Supplier<? extends CompletionStage<T>> task,
        CompletableFuture<T> result,
        Context context) {
      this.chain = chain;
      this.next = next;
      this.task = task;
      this.result = result;
      this.context = context;
    }

    void attempt(int attempt, long previousDelay) {
      if (result.isDone()) {
        return;
      }
      chain
          .proceed(next, task)
          .whenComplete(
              (value, failure) -> {
                boolean retriedResult = failure == null && retriesResult(value);
                if (failure == null && !retriedResult) {
                  result.complete(value);
                  return;
                }
                Throwable cause = failure == null ? new RetriedResult(value) : failure;
                long delay = nextDelay(attempt, previousDelay, cause, context.deadline());
                if (delay < 0 && retriedResult) {
                  result.complete(value);
                } else if (delay < 0) {
                  result.completeExceptionally(ErrorClassifier.unwrap(cause));
                } else {
                  scheduler.schedule(delay, () -> context.run(() -> attempt(attempt + 1, delay)));
                }
              });
    }
  }

  @Override
  public String toString() {
    return "Retry[" + name + ", maxAttempts=" + config.maxAttempts() + "]";
  }
}
