package io.bulwark.resilience;

import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.error.ErrorClassifier;
import io.bulwark.core.error.RejectedException;
import org.jspecify.annotations.Nullable;

/** Small helpers for outcomes of asynchronous stages. */
final class Outcomes {
  private Outcomes() {}

  /** Looks through the wrappers that CompletableFuture adds; null stays null. */
  static @Nullable Throwable unwrap(@Nullable Throwable failure) {
    return failure == null ? null : ErrorClassifier.unwrap(failure);
  }

  /**
   * True if a call that ended with {@code failure} never reached the dependency: a policy below
   * refused it ({@link RejectedException}), or its deadline had passed before it started. A
   * deadline that passed while the call ran stopped a call that did run.
   */
  static boolean neverRan(Throwable failure) {
    return failure instanceof RejectedException
        && !(failure instanceof DeadlineExceededException d && d.isDuringCall());
  }

  /** Throws {@code t} as is: unchecked ones directly, checked ones through the generic trick. */
  @SuppressWarnings("unchecked")
  static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
    throw (E) t;
  }
}
