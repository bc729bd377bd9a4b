package io.bulwark.core.error;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Decides whether a failure is worth retrying. The default reads {@link
 * BulwarkException#isRetriable()}, treats I/O errors and timeouts as retriable and everything else
 * (programming errors, interruption, cancellation) as fatal. Wrappers ({@link CompletionException},
 * {@link ExecutionException}) are looked through.
 */
@FunctionalInterface
public interface ErrorClassifier {

  /** True if the operation that failed with {@code failure} may succeed when tried again. */
  boolean isRetriable(Throwable failure);

  /** The default classification described above. */
  static ErrorClassifier defaults() {
    return ErrorClassifier::classifyByDefault;
  }

  private static boolean classifyByDefault(Throwable failure) {
    Throwable t = unwrap(failure);
    return switch (t) {
      case BulwarkException b -> b.isRetriable();
      case InterruptedException i -> false;
      case CancellationException c -> false;
      case IOException io -> true;
      case TimeoutException timeout -> true;
      default -> false;
    };
  }

  /** Looks through {@link CompletionException} and {@link ExecutionException} wrappers. */
  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
