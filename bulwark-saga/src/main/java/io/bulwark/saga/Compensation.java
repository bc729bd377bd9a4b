package io.bulwark.saga;

import org.jspecify.annotations.Nullable;

/**
 * Undoes a completed step: receives the step's stored result. Compensations run at least once
 * (retried durably with backoff) and must be idempotent; {@link StepContext#idempotencyKey()} is
 * the same as the step action's.
 */
@FunctionalInterface
public interface Compensation<T> {
  void compensate(StepContext step, @Nullable T result) throws Exception;
}
