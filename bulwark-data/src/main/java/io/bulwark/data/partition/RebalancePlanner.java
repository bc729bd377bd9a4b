package io.bulwark.data.partition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a membership change into an explicit {@link MovePlan}: each bucket whose owner differs
 * between the partitioner before and the one after moves from the old owner to the new. Pure
 * function of its inputs; the plan is in bucket order.
 */
public final class RebalancePlanner {
  private RebalancePlanner() {}

  /**
   * The moves from {@code before} to {@code after} for {@code buckets}.
   *
   * @throws IllegalArgumentException for an empty bucket list or duplicate bucket ids
   */
  public static MovePlan plan(Partitioner before, Partitioner after, List<Bucket> buckets) {
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
    if (buckets.isEmpty()) {
      throw new IllegalArgumentException("rebalance plan: bucket list must not be empty");
    }
    Map<String, Boolean> seen = new HashMap<>();
    List<Move> moves = new ArrayList<>();
    long total = 0;
    long moved = 0;
    for (Bucket b : buckets) {
      if (seen.put(b.id(), Boolean.TRUE) != null) {
        throw new IllegalArgumentException("rebalance plan: duplicate bucket id '" + b.id() + "'");
      }
      total += b.bytes();
      Node from = before.owner(b.keyHash());
      Node to = after.owner(b.keyHash());
      if (!from.id().equals(to.id())) {
        moves.add(new Move(b.id(), null, from, to, b.bytes()));
        moved += b.bytes();
      }
    }
    double fraction = total > 0 ? (double) moved / total : (double) moves.size() / buckets.size();
    return new MovePlan(
        moves, buckets.size(), total, fraction, idealFraction(before.nodes(), after.nodes()));
  }

  /**
   * The least fraction of data any placement must move from shares {@code w/W} before to shares
   * after: the sum over nodes of the share gained (the total variation distance of the shares).
   */
  public static double idealFraction(List<Node> before, List<Node> after) {
    double wb = Members.totalWeight(before);
    double wa = Members.totalWeight(after);
    Map<String, Double> share = new HashMap<>();
    for (Node n : before) {
      share.merge(n.id(), -n.weight() / wb, Double::sum);
    }
    for (Node n : after) {
      share.merge(n.id(), n.weight() / wa, Double::sum);
    }
    double gained = 0;
    for (double d : share.values()) {
      if (d > 0) {
        gained += d;
      }
    }
    return gained;
  }
}
