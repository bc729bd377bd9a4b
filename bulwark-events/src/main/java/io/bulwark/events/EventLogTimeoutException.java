package io.bulwark.events;

import io.bulwark.core.error.RetriableException;
import io.bulwark.core.error.TimeoutFailure;
import org.jspecify.annotations.Nullable;

/**
 * An operation on the log was not confirmed in time: a record not acknowledged before the
 * producer's delivery timeout, metadata for a topic not found, a transaction step that did not
 * finish. Its outcome is unknown (the record may have been written), so a retry can duplicate it;
 * idempotent producers and inboxes absorb that. Distinct from {@link BufferFullException}, which
 * means the producer refused the record before sending anything.
 */
public final class EventLogTimeoutException extends RetriableException implements TimeoutFailure {
  private static final long serialVersionUID = 1L;

  public EventLogTimeoutException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
