package io.bulwark.resilience;

import io.bulwark.core.error.BulwarkException;
import io.bulwark.core.error.TimeoutFailure;
import java.time.Duration;

/**
 * A {@link Timeout} expired before the work finished; the work was interrupted. Retriable (the next
 * attempt may be faster) and stackless, since timeouts are common under load.
 */
public final class TimeoutExceededException extends BulwarkException implements TimeoutFailure {
  private static final long serialVersionUID = 1L;
  private final String policy;
  private final long timeoutNanos;

  public TimeoutExceededException(String policy, long timeoutNanos) {
    super("timeout '" + policy + "' expired after " + Duration.ofNanos(timeoutNanos), null, false);
    this.policy = policy;
    this.timeoutNanos = timeoutNanos;
  }

  /** The name of the timeout policy. */
  public String policy() {
    return policy;
  }

  /** The timeout that applied: {@code min(configured, remaining deadline)}. */
  public Duration timeout() {
    return Duration.ofNanos(timeoutNanos);
  }

  @Override
  public boolean isRetriable() {
    return true;
  }
}
