package io.bulwark.resilience;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The stages of a pipeline for blocking calls, ending in a stage that makes the call itself; a call
 * through the chain allocates nothing.
 *
 * <p>Design note: a stage runs the rest of the chain with {@code chain.stage(next).execute(chain,
 * next + 1, task)} written in its own code, not through a shared helper. The JIT profiles a call
 * site by its place in the bytecode, so each policy's call to its successor keeps a profile of its
 * own: in a given pipeline shape it sees one successor type and is inlined, where one shared {@code
 * proceed} method would see every stage type of every pipeline (a megamorphic call) and recurse
 * into itself, which the JIT inlines only one level deep. {@link #proceed} is for the cold paths (a
 * timeout's or hedge's child thread).
 */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class SyncChain {
  /** The last stage of every chain: calls the task. */
  private static final Stage CALL = new Call();

  private final Stage[] stages;

  /** A chain of {@code policies} (outermost first), then the call. */
  SyncChain(Stage[] policies) {
    this.stages = Arrays.copyOf(policies, policies.length + 1);
    this.stages[policies.length] = CALL;
  }

  /** The stage at {@code index}: a policy, or the call after the last policy. */
  Stage stage(int index) {
    return stages[index];
  }

  /** Runs {@code task} through the stages from {@code index}. */
  <T extends @Nullable Object> T proceed(int index, Object task) throws Exception {
    return stages[index].execute(this, index + 1, task);
  }

  @SuppressWarnings({"unchecked", "NullAway"})
  static <T extends @Nullable Object> T invoke(Object task) throws Exception {
    if (task instanceof Callable<?> callable) {
      return (T) callable.call();
    }
    if (task instanceof Supplier<?> supplier) {
      return (T) supplier.get();
    }
    ((Runnable) task).run();
    return (T) null;
  }

  /** The call at the end of a blocking chain; asynchronous chains end in {@link AsyncChain}. */
  private static final class Call implements Stage {
    @Override
    public <T extends @Nullable Object> T execute(SyncChain chain, int next, Object task)
        throws Exception {
      return invoke(task);
    }

    @Override
    public <T extends @Nullable Object> CompletableFuture<T> executeAsync(
        AsyncChain chain, int next, Supplier<? extends CompletionStage<T>> task) {
      throw new UnsupportedOperationException("the call stage ends blocking chains only");
    }
  }
}
