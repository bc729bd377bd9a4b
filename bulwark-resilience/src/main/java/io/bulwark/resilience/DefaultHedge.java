package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.context.Context;
import io.bulwark.core.error.ErrorClassifier;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The hedging policy; see {@link Hedge}. */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class DefaultHedge implements Hedge, Stage {
  private final String name;
  private final HedgeConfig config;
  private final Scheduler scheduler;
  private final Clock clock;
  private final @Nullable RetryBudget budget;
  private final @Nullable LatencyTracker tracker;
  private final long fixedDelayNanos;
  private final ListenerSet listeners = new ListenerSet();
  private final boolean countRequests;

  DefaultHedge(String name, HedgeConfig config, Scheduler scheduler) {
    this(name, config, scheduler, true);
  }

  private DefaultHedge(String name, HedgeConfig config, Scheduler scheduler, boolean count) {
    this.name = Checks.notBlank("name", name);
    this.config = config;
    this.scheduler = scheduler;
    this.clock = scheduler.clock();
    this.budget = config.budget();
    this.tracker = config.percentile() > 0 ? new LatencyTracker(config.percentile()) : null;
    this.fixedDelayNanos = Scheduler.saturatedNanos(config.delay());
    this.countRequests = count;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PolicyKind kind() {
    return PolicyKind.HEDGE;
  }

  @Override
  public void addListener(ResilienceListener listener) {
    listeners.add(listener);
  }

  @Override
  public HedgeConfig config() {
    return config;
  }

  /** True when requests should be counted here (not when an outer retry counts them). */
  boolean countsRequests() {
    return countRequests;
  }

  /**
   * The same hedge for a pipeline whose outer retry already counts requests into the same budget;
   * shares this hedge's listeners and latency samples by delegation.
   */
  Stage withoutRequestCounting() {
    DefaultHedge outer = this;
    return new Stage() {
      @Override
      public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
          throws Exception {
        return outer.runSync(chain, next, task, false);
      }

      @Override
      public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
          AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
        return outer.runAsync(chain, next, task, false);
      }
    };
  }

  @Override
  public long currentDelayNanos() {
    LatencyTracker t = tracker;
    if (t != null && t.count() >= config.minSamples() && t.estimateNanos() >= 0) {
      return t.estimateNanos();
    }
    return fixedDelayNanos;
  }

  private void sample(long nanos) {
    LatencyTracker t = tracker;
    if (t != null) {
      t.record(nanos);
    }
  }

  /** Whether backup number {@code attempt} may be sent: the budget must grant a token. */
  private boolean mayHedge(int attempt) {
    if (budget != null && !budget.tryAcquire()) {
      listeners.rejected(name, Rejection.RETRY_BUDGET_EXHAUSTED);
      return false;
    }
    listeners.hedge(name, attempt);
    return true;
  }

  @Override
  public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
      throws Exception {
    return runSync(chain, next, task, countRequests);
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
    return runAsync(chain, next, task, countRequests);
  }

  <T extends @Nullable Object> T runSync(SyncChain chain, int next, Object task, boolean count)
      throws Exception {
    if (count && budget != null) {
      budget.recordRequest();
    }
    Attempts<T> attempts = new Attempts<>(Context.current());
    attempts.launchSync(chain, next, task, 1);
    try {
      return attempts.result.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw Outcomes.sneaky(cause);
    } finally {
      attempts.cancelAll();
    }
  }

  <T extends @Nullable Object> CompletableFuture<T> runAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task, boolean count) {
    if (count && budget != null) {
      budget.recordRequest();
    }
    Attempts<T> attempts = new Attempts<>(Context.current());
    attempts.launchAsync(chain, next, task, 1);
    attempts.result.whenComplete((value, failure) -> attempts.cancelAll());
    return attempts.result;
  }

  /**
   * The attempts of one hedged call. Whether another attempt starts (on a timer or after every
   * attempt so far failed) is decided under a short lock, so a timer racing with a failure cannot
   * start two attempts for one slot: a timer armed when {@code k} attempts had started fires only
   * if still {@code k} have.
   */
  private final class Attempts<T extends @Nullable Object> {
    final CompletableFuture<T> result = new CompletableFuture<>();
    final Context context;
    final ReentrantLock gate = new ReentrantLock();
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<T>> stages = new CopyOnWriteArrayList<>();
    int started = 1; // guarded by gate
    int failures; // guarded by gate
    volatile @Nullable ScheduledTask timer;

    Attempts(Context context) {
      this.context = context;
    }

    void launchSync(SyncChain chain, int next, Object task, int attempt) {
      Thread thread =
          Thread.ofVirtual()
              .name("bulwark-hedge-" + name + "-" + attempt)
              .unstarted(
                  () ->
                      context.run(
                          () -> {
                            long start = clock.nanoTime();
                            try {
                              T value = chain.proceed(next, task);
                              sample(clock.nanoTime() - start);
                              result.complete(value);
                            } catch (Throwable t) {
                              onFailure(t, n -> launchSync(chain, next, task, n));
                            }
                          }));
      threads.add(thread);
      armTimer(attempt, n -> launchSync(chain, next, task, n));
      thread.start();
    }

    void launchAsync(
        AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task, int attempt) {
      long start = clock.nanoTime();
      CompletableFuture<T> stage = chain.proceedIn(context, next, task);
      stages.add(stage);
      armTimer(attempt, n -> launchAsync(chain, next, task, n));
      stage.whenComplete(
          (value, failure) -> {
            if (failure == null) {
              sample(clock.nanoTime() - start);
              result.complete(value);
            } else {
              onFailure(ErrorClassifier.unwrap(failure), n -> launchAsync(chain, next, task, n));
            }
          });
    }

    /** After attempt {@code attempt} started: schedules the next backup, if one is allowed. */
    private void armTimer(int attempt, IntConsumer launch) {
      if (attempt > config.maxHedges() || result.isDone()) {
        return;
      }
      timer =
          scheduler.schedule(
              currentDelayNanos(),
              () -> {
                if (claim(attempt)) {
                  launch.accept(attempt + 1);
                }
              });
    }

    /** A timer armed when {@code expected} attempts had started may start the next one. */
    private boolean claim(int expected) {
      gate.lock();
      try {
        if (result.isDone() || started != expected || !mayHedge(expected + 1)) {
          return false;
        }
        started++;
        return true;
      } finally {
        gate.unlock();
      }
    }

    /** When every attempt so far failed: hedge at once if allowed, else fail with this one. */
    private void onFailure(Throwable failure, IntConsumer launch) {
      int attempt;
      gate.lock();
      try {
        failures++;
        if (failures < started || result.isDone()) {
          return;
        }
        attempt = started + 1;
        if (attempt <= config.maxHedges() + 1 && mayHedge(attempt)) {
          started++;
        } else {
          attempt = 0;
        }
      } finally {
        gate.unlock();
      }
      if (attempt == 0) {
        result.completeExceptionally(failure);
      } else {
        launch.accept(attempt);
      }
    }

    void cancelAll() {
      ScheduledTask pending = timer;
      if (pending != null) {
        pending.cancel();
      }
      Thread self = Thread.currentThread();
      for (Thread t : threads) {
        if (t != self && t.isAlive()) {
          t.interrupt();
        }
      }
      for (CompletableFuture<T> s : stages) {
        s.cancel(true);
      }
    }
  }

  @Override
  public String toString() {
    return "Hedge[" + name + ", maxHedges=" + config.maxHedges() + "]";
  }
}
