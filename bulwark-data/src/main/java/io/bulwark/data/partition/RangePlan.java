package io.bulwark.data.partition;

import java.util.List;

/**
 * The outcome of {@link RangeIndex#rebalance}: the index after splits and merges, what changed (one
 * line per split or merge, for logs), and the moves that make the data match it.
 */
public record RangePlan(RangeIndex after, List<String> changes, List<Move> moves) {
  public RangePlan {
    changes = List.copyOf(changes);
    moves = List.copyOf(moves);
  }
}
