package io.bulwark.events;

import io.bulwark.core.error.FatalException;
import org.jspecify.annotations.Nullable;

/**
 * A transactional producer was replaced by a newer producer with the same transactional id (a
 * zombie instance); it must be closed.
 */
public final class ProducerFencedException extends FatalException {
  private static final long serialVersionUID = 1L;

  public ProducerFencedException(String message) {
    super(message);
  }

  public ProducerFencedException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
