package io.bulwark.data.partition;

import java.time.Duration;
import java.util.List;

/**
 * How a rebalance run ended: the moves that completed, the ones that failed every attempt (with the
 * last error), the ones never started because the run was cancelled, and the time it took on the
 * rebalancer's clock.
 */
public record RebalanceReport(
    List<Move> completed,
    List<FailedMove> failed,
    List<Move> cancelled,
    long bytesMoved,
    Duration elapsed) {
  public RebalanceReport {
    completed = List.copyOf(completed);
    failed = List.copyOf(failed);
    cancelled = List.copyOf(cancelled);
  }

  /** True when every move of the plan completed. */
  public boolean succeeded() {
    return failed.isEmpty() && cancelled.isEmpty();
  }

  /** A move that failed {@code attempts} times; {@code lastError} is the last failure. */
  public record FailedMove(Move move, int attempts, Throwable lastError) {}
}
