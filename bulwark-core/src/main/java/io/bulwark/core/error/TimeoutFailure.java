package io.bulwark.core.error;

/**
 * Marks a failure that means "no answer came in time": a timeout policy fired, a producer's
 * delivery was not acknowledged, a call got no response within its timeout. Telemetry counts such a
 * failure as a timeout ({@code io.bulwark.core.telemetry.Outcome#of}) rather than as an error,
 * whatever module threw it, so a module makes its timeout exception implement this type instead of
 * teaching telemetry its class name.
 *
 * <p>An exception type whose instances are only sometimes timeouts overrides {@link #isTimeout()}.
 */
public interface TimeoutFailure {

  /** True if this failure is a timeout; true unless the implementing type says otherwise. */
  default boolean isTimeout() {
    return true;
  }
}
