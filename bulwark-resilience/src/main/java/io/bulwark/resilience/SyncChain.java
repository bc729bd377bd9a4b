package io.bulwark.resilience;

import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The stages of a pipeline for blocking calls; {@link #proceed} recurses without allocating. */
@SuppressWarnings({
  "TypeParameterUnusedInFormals",
  "FutureReturnValueIgnored"
}) // side-effect callbacks; results typed by the caller
final class SyncChain {
  private final Stage[] stages;

  SyncChain(Stage[] stages) {
    this.stages = stages;
  }

  <T extends @Nullable Object> T proceed(int index, Object task) throws Exception {
    if (index == stages.length) {
      return invoke(task);
    }
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
}
