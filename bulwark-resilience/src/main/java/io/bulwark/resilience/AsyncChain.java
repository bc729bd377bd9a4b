package io.bulwark.resilience;

import io.bulwark.core.context.Context;
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
}
