package io.bulwark.data.partition;

import java.util.List;

/**
 * The outcome of {@link RangeIndex#rebalance}: the index after splits and merges, what changed (one
 * line per split or merge, for logs), the moves that make the data match it, and the same moves as
 * a {@link MovePlan} for a {@link Rebalancer}.
 *
 * @param movePlan the moves with their measured fraction (bytes moved over all bytes) beside the
 *     ideal: the least fraction that would even out bytes across the nodes given to {@link
 *     RangeIndex#rebalance} (the bytes above the mean on the nodes above it, over all bytes)
 */
public record RangePlan(
    RangeIndex after, List<String> changes, List<Move> moves, MovePlan movePlan) {
  public RangePlan {
    changes = List.copyOf(changes);
    moves = List.copyOf(moves);
  }
}
