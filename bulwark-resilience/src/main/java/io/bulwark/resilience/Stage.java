package io.bulwark.resilience;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * How a policy takes part in a pipeline: it runs the rest of the chain (from {@code next}) once,
 * several times, later or not at all. Implemented by every policy implementation; the chains call
 * it without allocating, so a synchronous call through a pipeline costs no garbage on success. On
 * its blocking path a stage calls its successor as {@code chain.stage(next).execute(chain, next +
 * 1, task)} from its own code (see {@link SyncChain} for why).
 */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
interface Stage {

  /** Runs {@code task} (a Callable, Supplier or Runnable) through the stages from {@code next}. */
  <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task) throws Exception;

  /** Runs an asynchronous task through the stages from {@code next}. */
  <T extends @Nullable Object> CompletableFuture<T> executeAsync(
      AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task);
}
