package io.bulwark.resilience;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The pipeline; see {@link Pipeline}. */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class DefaultPipeline implements Pipeline {
  // Every call reads Context.deadline(), whose return type is Deadline. The JIT never inlines a
  // method whose signature names a class not loaded yet, so in a JVM where no deadline was ever set
  // that read stayed an out-of-line call on every call. Loading (not initialising) the class with
  // the first pipeline lets it inline.
  @SuppressWarnings({"unused", "UnusedVariable"})
  private static final Class<?> DEADLINE_LOADED = Deadline.class;

  private final String name;
  private final List<Policy> policies;
  private final SyncChain sync;
  private final Stage first;
  private final AsyncChain async;
  private final ListenerSet listeners = new ListenerSet();
  private final Clock clock;
  private final long deadlineNanos;

  DefaultPipeline(Pipeline.Builder builder, List<Policy> ordered) {
    this.name = builder.name;
    this.policies = ordered;
    this.clock = builder.clock;
    this.deadlineNanos = builder.deadline == null ? 0 : builder.deadline.toNanos();
    Stage[] stages = stages(ordered);
    this.sync = new SyncChain(stages);
    this.first = sync.stage(0);
    this.async = new AsyncChain(stages);
    for (ResilienceListener l : builder.listeners) {
      listeners.add(l);
      for (Policy p : ordered) {
        p.addListener(l);
      }
    }
  }

  /** Subscribes {@code listener} to this pipeline's calls and to every policy in it. */
  void addListener(ResilienceListener listener) {
    listeners.add(listener);
    for (Policy p : policies) {
      p.addListener(listener);
    }
  }

  /** Each policy's stage; a hedge under a retry with the same budget does not count requests. */
  private static Stage[] stages(List<Policy> ordered) {
    Stage[] stages = new Stage[ordered.size()];
    RetryBudget outerBudget = null;
    for (int i = 0; i < stages.length; i++) {
      Policy p = ordered.get(i);
      if (p instanceof Retry retry && outerBudget == null) {
        outerBudget = retry.config().budget();
      }
      if (p instanceof DefaultHedge hedge
          && outerBudget != null
          && hedge.config().budget() == outerBudget) {
        stages[i] = hedge.withoutRequestCounting();
      } else {
        stages[i] = (Stage) p;
      }
    }
    return stages;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Policy> policies() {
    return policies;
  }

  @Override
  public <T extends @Nullable Object> T get(Supplier<T> supplier) {
    return unchecked(supplier);
  }

  @Override
  public void run(Runnable runnable) {
    unchecked(runnable);
  }

  @Override
  public <T extends @Nullable Object> T call(Callable<T> callable) throws Exception {
    return execute(callable);
  }

  private <T extends @Nullable Object> T unchecked(Object task) {
    try {
      return execute(task);
    } catch (RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompletionException(e);
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }

  private <T extends @Nullable Object> T execute(Object task) throws Exception {
    Context context = Context.current();
    Deadline deadline = context.deadline();
    if (deadlineNanos > 0) {
      return withDeadline(context, task);
    }
    if (deadline != null && deadline.isExpired()) {
      throw expired();
    }
    if (listeners.isEmpty()) {
      return first.execute(sync, 1, task);
    }
    long start = clock.nanoTime();
    try {
      T result = first.execute(sync, 1, task);
      listeners.callEnded(name, clock.nanoTime() - start, null);
      return result;
    } catch (Throwable t) {
      listeners.callEnded(name, clock.nanoTime() - start, t);
      throw t;
    }
  }

  private <T extends @Nullable Object> T withDeadline(Context context, Object task)
      throws Exception {
    Context bounded = context.withDeadline(Deadline.afterNanos(deadlineNanos, clock));
    Deadline deadline = bounded.deadline();
    if (deadline != null && deadline.isExpired()) {
      throw expired();
    }
    long start = clock.nanoTime();
    try {
      T result = bounded.call(() -> first.<T>execute(sync, 1, task));
      listeners.callEnded(name, clock.nanoTime() - start, null);
      return result;
    } catch (Throwable t) {
      listeners.callEnded(name, clock.nanoTime() - start, t);
      throw t;
    }
  }

  private DeadlineExceededException expired() {
    return new DeadlineExceededException("deadline passed before pipeline '" + name + "' ran");
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> submit(Callable<T> callable) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Context.startVirtualThread(
        () -> {
          try {
            result.complete(execute(callable));
          } catch (Throwable t) {
            result.completeExceptionally(t);
          }
        });
    return result;
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> stage(
      Supplier<? extends CompletionStage<T>> supplier) {
    Context context = Context.current();
    if (deadlineNanos > 0) {
      context = context.withDeadline(Deadline.afterNanos(deadlineNanos, clock));
    }
    Deadline deadline = context.deadline();
    if (deadline != null && deadline.isExpired()) {
      return CompletableFuture.failedFuture(expired());
    }
    long start = clock.nanoTime();
    CompletableFuture<T> result;
    if (context == Context.current()) {
      result = async.proceed(0, supplier);
    } else {
      try {
        result = context.call(() -> async.proceed(0, supplier));
      } catch (Exception e) {
        result = CompletableFuture.failedFuture(e);
      }
    }
    if (!listeners.isEmpty()) {
      result.whenComplete(
          (value, failure) -> listeners.callEnded(name, clock.nanoTime() - start, failure));
    }
    return result;
  }

  @Override
  public String toString() {
    return "Pipeline[" + name + ", " + policies.stream().map(Policy::name).toList() + "]";
  }
}
