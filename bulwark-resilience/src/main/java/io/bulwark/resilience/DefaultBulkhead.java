package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.context.Context;
import io.bulwark.core.error.ErrorClassifier;
import io.bulwark.core.time.Scheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The semaphore bulkhead; see {@link Bulkhead}. */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class DefaultBulkhead implements Bulkhead, Stage {
  private final String name;
  private final BulkheadConfig config;
  private final Scheduler scheduler;
  private final long maxWaitNanos;
  private final Permits permits;
  private final ListenerSet listeners = new ListenerSet();
  private final PolicyRejectedException rejection;

  DefaultBulkhead(String name, BulkheadConfig config, Scheduler scheduler) {
    this(name, config, scheduler, new Permits(config.maxConcurrent()));
  }

  DefaultBulkhead(String name, BulkheadConfig config, Scheduler scheduler, Permits permits) {
    this.name = Checks.notBlank("name", name);
    this.config = config;
    this.scheduler = scheduler;
    this.maxWaitNanos = Scheduler.saturatedNanos(config.maxWait());
    this.permits = permits;
    this.rejection = new PolicyRejectedException(name, Rejection.BULKHEAD_FULL);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PolicyKind kind() {
    return PolicyKind.BULKHEAD;
  }

  @Override
  public void addListener(ResilienceListener listener) {
    listeners.add(listener);
  }

  @Override
  public BulkheadConfig config() {
    return config;
  }

  @Override
  public int availablePermits() {
    return permits.available();
  }

  @Override
  public boolean tryAcquire() {
    return permits.tryAcquire();
  }

  @Override
  public void release() {
    permits.release();
  }

  @Override
  public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
      throws Exception {
    if (!permits.acquire(maxWaitNanos, scheduler)) {
      listeners.rejected(name, Rejection.BULKHEAD_FULL);
      throw rejection;
    }
    try {
      return chain.stage(next).execute(chain, next + 1, task);
    } finally {
      permits.release();
    }
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
    CompletableFuture<Boolean> permit = permits.acquireAsync(maxWaitNanos, scheduler);
    if (permit.isDone()) {
      return permit.join() ? AsyncChain.apart(holding(chain.proceed(next, task))) : rejected();
    }
    Context context = Context.current();
    CompletableFuture<T> result = new CompletableFuture<>();
    permit.thenAccept(
        granted -> {
          if (!granted) {
            if (result.completeExceptionally(rejection)) { // not if the caller cancelled
              listeners.rejected(name, Rejection.BULKHEAD_FULL);
            }
          } else if (result.isDone()) {
            permits.release(); // the caller cancelled while it waited: the call never runs
          } else {
            holding(chain.proceedIn(context, next, task)) // result is already apart
                .whenComplete(
                    (value, failure) -> {
                      if (failure == null) {
                        result.complete(value);
                      } else {
                        result.completeExceptionally(ErrorClassifier.unwrap(failure));
                      }
                    });
          }
        });
    return result;
  }

  /** Releases the permit when {@code work} completes. */
  private <T extends @Nullable Object> CompletableFuture<T> holding(CompletableFuture<T> work) {
    work.whenComplete((value, failure) -> permits.release());
    return work;
  }

  private <T extends @Nullable Object> CompletableFuture<T> rejected() {
    listeners.rejected(name, Rejection.BULKHEAD_FULL);
    return CompletableFuture.failedFuture(rejection);
  }

  @Override
  public String toString() {
    return "Bulkhead[" + name + ", " + permits.available() + "/" + permits.size() + " free]";
  }
}
