package io.bulwark.events;

import io.bulwark.core.error.FatalException;
import org.jspecify.annotations.Nullable;

/** A value could not be serialized or deserialized; retrying the same bytes cannot help. */
public final class SerdeException extends FatalException {
  private static final long serialVersionUID = 1L;

  public SerdeException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
