package io.bulwark.events;

import io.bulwark.core.error.RetriableException;
import org.jspecify.annotations.Nullable;

/**
 * An operation on the log failed in a way that may pass when retried: I/O error, a rebalance that
 * revoked a partition during a commit, a broker not reachable.
 */
public final class EventLogException extends RetriableException {
  private static final long serialVersionUID = 1L;

  public EventLogException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  public EventLogException(String message) {
    super(message);
  }
}
