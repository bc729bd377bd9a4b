package io.bulwark.data.partition;

import java.util.concurrent.CompletionStage;

/**
 * The data owner's side of a rebalance: copies one bucket or range to its new owner and switches
 * ownership. The {@link Rebalancer} calls it for each move of a plan, within its concurrency and
 * byte-rate limits, and retries a failed move.
 *
 * <p>Contract: return quickly (start the work and return a stage); complete the stage normally when
 * the move is done, exceptionally when it failed (it will be retried up to the rebalancer's
 * attempts, then reported). A move must be idempotent: a retry may follow a partial copy. A throw
 * from this method counts as a failed attempt.
 */
@FunctionalInterface
public interface MoveExecutor {

  /** Starts {@code move}; {@code attempt} is 1 for the first try. */
  CompletionStage<?> execute(Move move, int attempt) throws Exception;
}
