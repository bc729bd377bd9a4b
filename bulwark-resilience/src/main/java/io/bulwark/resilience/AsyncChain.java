package io.bulwark.resilience;

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
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
