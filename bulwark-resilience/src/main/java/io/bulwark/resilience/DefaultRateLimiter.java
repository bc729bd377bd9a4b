package io.bulwark.resilience;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The GCRA rate limiter; see {@link RateLimiter}. */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class DefaultRateLimiter implements RateLimiter, Stage {
  private final String name;
  private final RateLimiterConfig config;
  private final Scheduler scheduler;
  private final Clock clock;
  private final long intervalNanos;
  private final long toleranceNanos;
  private final long maxWaitNanos;
  private final PaddedLong tat;
  private final ListenerSet listeners = new ListenerSet();
  private final PolicyRejectedException rejection;

  DefaultRateLimiter(String name, RateLimiterConfig config, Scheduler scheduler) {
    this.name = Checks.name(name);
    this.config = config;
    this.scheduler = scheduler;
    this.clock = scheduler.clock();
    this.intervalNanos = config.intervalNanos();
    this.toleranceNanos = (config.burst() - 1) * intervalNanos;
    this.maxWaitNanos = Scheduler.saturatedNanos(config.maxWait());
    this.tat = new PaddedLong(clock.nanoTime());
    this.rejection = new PolicyRejectedException(name, Rejection.RATE_LIMITED);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PolicyKind kind() {
    return PolicyKind.RATE_LIMITER;
  }

  @Override
  public void addListener(ResilienceListener listener) {
    listeners.add(listener);
  }

  @Override
  public RateLimiterConfig config() {
    return config;
  }

  @Override
  public boolean tryAcquire() {
    return Gcra.reserve(tat, clock.nanoTime(), intervalNanos, toleranceNanos, 0) == 0;
  }

  @Override
  public int availablePermits() {
    return Gcra.available(tat.get(), clock.nanoTime(), intervalNanos, toleranceNanos);
  }

  private long reserve() {
    long wait = Gcra.reserve(tat, clock.nanoTime(), intervalNanos, toleranceNanos, maxWaitNanos);
    if (wait == Gcra.REJECTED) {
      listeners.rejected(name, Rejection.RATE_LIMITED);
    }
    return wait;
  }

  @Override
  public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
      throws Exception {
    long wait = reserve();
    if (wait != 0) {
      if (wait == Gcra.REJECTED) {
        throw rejection;
      }
      CountDownLatch due = new CountDownLatch(1);
      scheduler.schedule(wait, due::countDown);
      due.await();
    }
    return chain.proceed(next, task);
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
    long wait = reserve();
    if (wait == 0) {
      return chain.proceed(next, task);
    }
    if (wait == Gcra.REJECTED) {
      return CompletableFuture.failedFuture(rejection);
    }
    CompletableFuture<@Nullable Void> due = new CompletableFuture<>();
    scheduler.schedule(wait, () -> due.complete(null));
    return due.thenCompose(ignored -> chain.proceed(next, task));
  }

  @Override
  public String toString() {
    return "RateLimiter[" + name + ", " + config.permits() + "/" + config.period() + "]";
  }
}
