package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The timeout policy; see {@link Timeout}. */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class DefaultTimeout implements Timeout, Stage {
  private final String name;
  private final TimeoutConfig config;
  private final Scheduler scheduler;
  private final long timeoutNanos;
  private final ListenerSet listeners = new ListenerSet();

  DefaultTimeout(String name, TimeoutConfig config, Scheduler scheduler) {
    this.name = Checks.notBlank("name", name);
    this.config = config;
    this.scheduler = scheduler;
    this.timeoutNanos = Scheduler.saturatedNanos(config.timeout());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PolicyKind kind() {
    return PolicyKind.TIMEOUT;
  }

  @Override
  public void addListener(ResilienceListener listener) {
    listeners.add(listener);
  }

  @Override
  public TimeoutConfig config() {
    return config;
  }

  /** The limit for a call now: {@code min(configured, remaining deadline)}; ≤ 0 = expired. */
  private long effectiveNanos(@Nullable Deadline deadline) {
    return deadline == null ? timeoutNanos : Math.min(timeoutNanos, deadline.remainingNanos());
  }

  private Exception expiry(long effective, boolean byDeadline) {
    return byDeadline
        ? DeadlineExceededException.duringCall(
            "deadline expired after "
                + java.time.Duration.ofNanos(effective)
                + " in '"
                + name
                + "'")
        : new TimeoutExceededException(name, effective);
  }

  private DeadlineExceededException alreadyExpired() {
    return new DeadlineExceededException("deadline passed before '" + name + "' started the call");
  }

  @Override
  public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
      throws Exception {
    Context caller = Context.current();
    Deadline deadline = caller.deadline();
    long effective = effectiveNanos(deadline);
    if (effective <= 0) {
      throw alreadyExpired();
    }
    boolean byDeadline = effective < timeoutNanos;
    Context child = caller.withDeadline(Deadline.afterNanos(effective, scheduler.clock()));
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread worker =
        Thread.ofVirtual()
            .unstarted(
                () ->
                    child.run(
                        () -> {
                          try {
                            result.complete(chain.proceed(next, task));
                          } catch (Throwable t) {
                            result.completeExceptionally(t);
                          }
                        }));
    ScheduledTask timer =
        scheduler.schedule(
            effective,
            () -> {
              if (result.completeExceptionally(expiry(effective, byDeadline))) {
                listeners.timeout(name, effective);
                worker.interrupt();
              }
            });
    worker.start();
    try {
      return result.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw Outcomes.sneaky(cause);
    } catch (InterruptedException e) {
      worker.interrupt();
      throw e;
    } finally {
      timer.cancel();
    }
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
    Context caller = Context.current();
    long effective = effectiveNanos(caller.deadline());
    if (effective <= 0) {
      return CompletableFuture.failedFuture(alreadyExpired());
    }
    boolean byDeadline = effective < timeoutNanos;
    Context child = caller.withDeadline(Deadline.afterNanos(effective, scheduler.clock()));
    AtomicReference<@Nullable CompletableFuture<T>> started = new AtomicReference<>();
    child.run(() -> started.set(chain.proceed(next, task)));
    CompletableFuture<T> inner = started.get();
    if (inner == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("no stage was started"));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    ScheduledTask timer =
        scheduler.schedule(
            effective,
            () -> {
              if (result.completeExceptionally(expiry(effective, byDeadline))) {
                listeners.timeout(name, effective);
                inner.cancel(true);
              }
            });
    inner.whenComplete(
        (value, failure) -> {
          timer.cancel();
          if (failure == null) {
            result.complete(value);
          } else {
            result.completeExceptionally(Outcomes.unwrap(failure));
          }
        });
    return result;
  }

  @Override
  public String toString() {
    return "Timeout[" + name + ", " + config.timeout() + "]";
  }
}
