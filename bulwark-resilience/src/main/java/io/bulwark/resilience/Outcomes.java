package io.bulwark.resilience;

import io.bulwark.core.error.ErrorClassifier;
import org.jspecify.annotations.Nullable;

/** Small helpers for outcomes of asynchronous stages. */
final class Outcomes {
  private Outcomes() {}

  /** Looks through the wrappers that CompletableFuture adds; null stays null. */
  static @Nullable Throwable unwrap(@Nullable Throwable failure) {
    return failure == null ? null : ErrorClassifier.unwrap(failure);
  }

  /** Throws {@code t} as is: unchecked ones directly, checked ones through the generic trick. */
  @SuppressWarnings("unchecked")
  static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
    throw (E) t;
  }
}
