package io.bulwark.data.partition;

import java.util.List;

/**
 * An explicit rebalance plan: the moves, and the movement measured beside the ideal.
 *
 * @param moves what moves from whom to whom
 * @param units buckets or ranges considered in all
 * @param totalBytes their total size
 * @param fractionMoved the fraction that moves: bytes moved / total bytes, or units moved / units
 *     when no sizes are known
 * @param idealFraction the least any placement could move for this membership change: the total
 *     weight share gained by nodes (for one node joining N equal ones, 1/(N+1); leaving, 1/N)
 */
public record MovePlan(
    List<Move> moves, int units, long totalBytes, double fractionMoved, double idealFraction) {
  public MovePlan {
    moves = List.copyOf(moves);
  }

  public long movedBytes() {
    long b = 0;
    for (Move m : moves) {
      b += m.bytes();
    }
    return b;
  }

  /** Measured over ideal movement; 1.0 is optimal (NaN when the ideal is 0). */
  public double movementRatio() {
    return idealFraction == 0
        ? (fractionMoved == 0 ? 1.0 : Double.NaN)
        : fractionMoved / idealFraction;
  }
}
