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
   * The caller's view of {@code work}: completes with it, but cancelling it (by the caller, a
   * timeout or a hedge above) leaves {@code work} alone. A CompletableFuture that is cancelled
   * cannot stop whatever completes it, so cancelling the work's own stage would only release a
   * bulkhead's or concurrency limiter's permit while that work goes on; with this view, the permit
   * is released when the work's stage completes.
   */
  static <T extends @Nullable Object> CompletableFuture<T> apart(CompletableFuture<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    work.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            result.complete(value);
          } else {
            result.completeExceptionally(ErrorClassifier.unwrap(failure));
          }
        });
    return result;
  }
}
