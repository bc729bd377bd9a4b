package io.bulwark.resilience;

import io.bulwark.core.context.Context;
import io.bulwark.core.error.ErrorClassifier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The stages of a pipeline for calls that return a {@link CompletionStage}. */
final class AsyncChain {
  private final Stage[] stages;

  AsyncChain(Stage[] stages) {
    this.stages = stages;
  }

  /**
   * Runs the stages from {@code index} with {@code context} bound: for a stage that goes on after a
   * wait, on whatever thread ended the wait, under the caller's context (deadline, criticality).
   */
  @SuppressWarnings("unchecked")
  <T extends @Nullable Object> CompletableFuture<T> proceedIn(
      Context context, int index, Supplier<? extends CompletionStage<T>> task) {
    CompletableFuture<T>[] holder = (CompletableFuture<T>[]) new CompletableFuture<?>[1];
    context.run(() -> holder[0] = proceed(index, task));
    return holder[0];
  }

  <T extends @Nullable Object> CompletableFuture<T> proceed(
      int index, Supplier<? extends CompletionStage<T>> task) {
    if (index < stages.length) {
      return stages[index].executeAsync(this, index + 1, task);
    }
    try {
      CompletionStage<T> stage = task.get();
      if (stage == null) {
        return CompletableFuture.failedFuture(
            new NullPointerException("the call returned a null CompletionStage"));
      }
      return stage.toCompletableFuture();
    } catch (Throwable e) { // a stage failure, whatever the supplier threw (as supplyAsync does)
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The caller's view of {@code work}: completes with it, and a bulkhead's or concurrency limiter's
   * permit is released when {@code work} completes. Cancelling the view (by the caller, a timeout
   * or a hedge above) reaches {@code work} only if its class overrides {@code cancel}, as the JDK
   * HTTP client's and Reactor's futures do to abort their work: such a stage stops when cancelled.
   * A plain {@link CompletableFuture} is left alone, because its {@code cancel} only completes it
   * and cannot stop whatever completes it; cancelling it would release the permit while that work
   * goes on. A stage that never completes therefore keeps its permit, as a blocking call whose
   * thread never ends does: give asynchronous work a timeout of its own.
   */
  static <T extends @Nullable Object> CompletableFuture<T> apart(CompletableFuture<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    CompletableFuture<T> unusedForwarding =
        work.whenComplete(
            (value, failure) -> {
              if (failure == null) {
                result.complete(value);
              } else {
                result.completeExceptionally(ErrorClassifier.unwrap(failure));
              }
            });
    if (CANCEL_STOPS_WORK.get(work.getClass())) {
      CompletableFuture<T> unusedCancelling =
          result.whenComplete(
              (value, failure) -> {
                if (result.isCancelled()) {
                  work.cancel(true);
                }
              });
    }
    return result;
  }

  /**
   * Whether a stage class overrides {@code cancel}, i.e. cancelling it does more than complete it.
   */
  private static final ClassValue<Boolean> CANCEL_STOPS_WORK =
      new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
          try {
            return type.getMethod("cancel", boolean.class).getDeclaringClass()
                != CompletableFuture.class;
          } catch (NoSuchMethodException e) {
            return false;
          }
        }
      };
}
