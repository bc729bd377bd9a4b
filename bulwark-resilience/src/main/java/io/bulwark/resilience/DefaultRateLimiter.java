package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.context.Context;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.ScheduledTask;
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
  private final long maxWaitNanos;
  private final StripedGcra gcra;
  private final ListenerSet listeners = new ListenerSet();
  private final PolicyRejectedException rejection;

  DefaultRateLimiter(String name, RateLimiterConfig config, Scheduler scheduler) {
    this(
        name,
        config,
        scheduler,
        StripedGcra.stripesFor(
            config.intervalNanos(), config.burst(), Runtime.getRuntime().availableProcessors()));
  }

  DefaultRateLimiter(String name, RateLimiterConfig config, Scheduler scheduler, int stripes) {
    this.name = Checks.notBlank("name", name);
    this.config = config;
    this.scheduler = scheduler;
    this.clock = scheduler.clock();
    this.maxWaitNanos = Scheduler.saturatedNanos(config.maxWait());
    this.gcra = new StripedGcra(config.intervalNanos(), config.burst(), clock.nanoTime(), stripes);
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
    return gcra.tryAcquire(clock.nanoTime());
  }

  @Override
  public int availablePermits() {
    return gcra.available(clock.nanoTime());
  }

  /** Stripes the limit is split over (1 below a few hundred thousand permits per second). */
  int stripes() {
    return gcra.stripeCount();
  }

  @Override
  public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
      throws Exception {
    long now = clock.nanoTime();
    if (!gcra.tryAcquire(now)) {
      int stripe = gcra.earliestStripe(now);
      long wait = reserveWaiting(stripe, now);
      if (wait > 0) {
        awaitPermit(stripe, now, wait);
      }
    }
    return chain.stage(next).execute(chain, next + 1, task);
  }

  /** Reserves a permit due within maxWait, or throws the rejection. */
  private long reserveWaiting(int stripe, long nowNanos) {
    long wait = maxWaitNanos == 0 ? Gcra.REJECTED : gcra.reserve(stripe, nowNanos, maxWaitNanos);
    if (wait == Gcra.REJECTED) {
      listeners.rejected(name, Rejection.RATE_LIMITED);
      throw rejection;
    }
    return wait;
  }

  /** Waits for a reserved permit; an interrupted wait gives the permit back where it can. */
  private void awaitPermit(int stripe, long nowNanos, long waitNanos) throws InterruptedException {
    CountDownLatch due = new CountDownLatch(1);
    ScheduledTask timer = scheduler.schedule(waitNanos, due::countDown);
    try {
      due.await();
    } catch (InterruptedException e) {
      timer.cancel();
      if (due.getCount() != 0) {
        gcra.cancel(stripe, nowNanos, waitNanos);
      }
      throw e;
    }
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
    long now = clock.nanoTime();
    if (gcra.tryAcquire(now)) {
      return chain.proceed(next, task);
    }
    long wait;
    try {
      wait = reserveWaiting(gcra.earliestStripe(now), now);
    } catch (PolicyRejectedException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (wait == 0) {
      return chain.proceed(next, task);
    }
    Context context = Context.current();
    CompletableFuture<@Nullable Void> due = new CompletableFuture<>();
    scheduler.schedule(wait, () -> due.complete(null));
    return due.thenCompose(ignored -> chain.proceedIn(context, next, task));
  }

  @Override
  public String toString() {
    return "RateLimiter[" + name + ", " + config.permits() + "/" + config.period() + "]";
  }
}
