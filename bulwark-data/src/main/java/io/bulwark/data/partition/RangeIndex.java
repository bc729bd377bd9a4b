package io.bulwark.data.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Range sharding for ordered keys: contiguous shards {@code [b0="", b1), [b1, b2) … [bk, +∞)}, each
 * with an owner, looked up by binary search over the sorted boundaries. Immutable; {@link
 * #rebalance} returns a new index with oversized or overloaded shards split and small neighbours
 * merged, and the moves that follow from it.
 */
public final class RangeIndex {
  private final List<RangeShard> shards;
  private final String[] starts;

  private RangeIndex(List<RangeShard> shards) {
    this.shards = shards;
    this.starts = new String[shards.size()];
    for (int i = 0; i < starts.length; i++) {
      starts[i] = shards.get(i).range().start();
    }
  }

  /**
   * An index over {@code shards}, which must be sorted, non-overlapping and cover the whole key
   * space: the first starts at "", each starts where the previous ends, the last is unbounded.
   *
   * @throws IllegalArgumentException naming the first shard that breaks this
   */
  public static RangeIndex of(List<RangeShard> shards) {
    Objects.requireNonNull(shards, "shards");
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("range index: shard list must not be empty");
    }
    String expectedStart = "";
    for (int i = 0; i < shards.size(); i++) {
      RangeShard s = Objects.requireNonNull(shards.get(i), "shards[" + i + "]");
      if (expectedStart == null) {
        throw new IllegalArgumentException(
            "range index: shards["
                + i
                + "] "
                + s.range()
                + " follows an unbounded shard; the last shard alone may be unbounded");
      }
      if (!s.range().start().equals(expectedStart)) {
        String what =
            s.range().start().compareTo(expectedStart) < 0 ? "overlaps" : "leaves a gap after";
        throw new IllegalArgumentException(
            "range index: shards["
                + i
                + "] "
                + s.range()
                + " "
                + what
                + " the previous shard, which ends at '"
                + expectedStart
                + "' (shards must be sorted and contiguous from '')");
      }
      expectedStart = s.range().end();
    }
    if (expectedStart != null) {
      throw new IllegalArgumentException(
          "range index: the last shard ends at '" + expectedStart + "'; it must be unbounded");
    }
    return new RangeIndex(List.copyOf(shards));
  }

  /** A single shard over the whole key space. */
  public static RangeIndex single(Node owner) {
    return of(List.of(new RangeShard(KeyRange.all(), owner, 0, 0)));
  }

  public List<RangeShard> shards() {
    return shards;
  }

  /** The shard holding {@code key}. */
  public RangeShard shardOf(String key) {
    int i = Arrays.binarySearch(starts, key);
    return shards.get(i >= 0 ? i : -i - 2);
  }

  /** The owner of {@code key}. */
  public Node owner(String key) {
    return shardOf(key).owner();
  }

  /** Bytes per owner, over {@code nodes} (0 for a node with no shard) and every shard owner. */
  public Map<String, Long> bytesByOwner(List<Node> nodes) {
    Map<String, Long> out = new HashMap<>();
    for (Node n : nodes) {
      out.put(n.id(), 0L);
    }
    for (RangeShard s : shards) {
      out.merge(s.owner().id(), s.bytes(), Long::sum);
    }
    return out;
  }

  /**
   * One pass of splits then merges under {@code thresholds}. A shard above a maximum is cut where
   * {@code splitter} says; its upper part goes to the node of {@code nodes} holding the fewest
   * bytes (a move, unless that is its owner). A shard below both minima merges with its smaller
   * neighbour if the result stays within both maxima; the smaller part moves to the larger's owner.
   * Shards just split are not merged in the same pass. Call again until {@code changes()} is empty
   * to converge.
   *
   * @throws IllegalArgumentException if {@code nodes} is empty or has duplicates, or the splitter
   *     returns a cut outside the shard or larger than it
   */
  public RangePlan rebalance(RangeThresholds thresholds, RangeSplitter splitter, List<Node> nodes) {
    List<Node> members = Members.checked("range rebalance", nodes);
    Map<String, Long> bytes = bytesByOwner(members);
    List<String> changes = new ArrayList<>();
    List<Move> moves = new ArrayList<>();
    List<RangeShard> out = new ArrayList<>();
    List<Boolean> fresh = new ArrayList<>();
    for (RangeShard s : shards) {
      boolean over = s.bytes() > thresholds.maxBytes() || s.load() > thresholds.maxLoad();
      Optional<RangeSplitter.Cut> cut = over ? splitter.cut(s) : Optional.empty();
      if (cut.isEmpty()) {
        out.add(s);
        fresh.add(false);
        continue;
      }
      RangeSplitter.Cut c = checkCut(s, cut.get());
      KeyRange left = new KeyRange(s.range().start(), c.key());
      KeyRange right = new KeyRange(c.key(), s.range().end());
      long rightBytes = s.bytes() - c.leftBytes();
      Node target = lightest(members, bytes);
      out.add(new RangeShard(left, s.owner(), c.leftBytes(), c.leftLoad()));
      out.add(new RangeShard(right, target, rightBytes, Math.max(0, s.load() - c.leftLoad())));
      fresh.add(true);
      fresh.add(true);
      changes.add("split " + s.range() + " at '" + c.key() + "'");
      if (!target.id().equals(s.owner().id())) {
        moves.add(new Move(right.toString(), right, s.owner(), target, rightBytes));
        bytes.merge(s.owner().id(), -rightBytes, Long::sum);
        bytes.merge(target.id(), rightBytes, Long::sum);
      }
    }
    List<RangeShard> merged = merge(out, fresh, thresholds, changes, moves);
    return new RangePlan(of(merged), changes, moves, movePlan(moves, members));
  }

  private MovePlan movePlan(List<Move> moves, List<Node> members) {
    Map<String, Long> before = bytesByOwner(members);
    long total = 0;
    for (RangeShard s : shards) {
      total += s.bytes();
    }
    double mean = (double) total / before.size();
    double excess = 0;
    for (long b : before.values()) {
      excess += Math.max(0, b - mean);
    }
    long moved = 0;
    for (Move m : moves) {
      moved += m.bytes();
    }
    double fraction = total == 0 ? 0 : (double) moved / total;
    return new MovePlan(moves, shards.size(), total, fraction, total == 0 ? 0 : excess / total);
  }

  private static RangeSplitter.Cut checkCut(RangeShard s, RangeSplitter.Cut c) {
    KeyRange r = s.range();
    if (c.key().compareTo(r.start()) <= 0 || (r.end() != null && c.key().compareTo(r.end()) >= 0)) {
      throw new IllegalArgumentException(
          "range splitter: cut key '" + c.key() + "' is not strictly inside " + r);
    }
    if (c.leftBytes() < 0 || c.leftBytes() > s.bytes()) {
      throw new IllegalArgumentException(
          "range splitter: cut of "
              + r
              + " puts "
              + c.leftBytes()
              + " bytes on the left of a "
              + s.bytes()
              + "-byte shard");
    }
    if (!(c.leftLoad() >= 0) || c.leftLoad() > s.load()) {
      throw new IllegalArgumentException(
          "range splitter: cut of "
              + r
              + " puts load "
              + c.leftLoad()
              + " on the left of a shard"
              + " with load "
              + s.load());
    }
    return c;
  }

  private static Node lightest(List<Node> members, Map<String, Long> bytes) {
    Node best = members.get(0);
    for (Node n : members) {
      long b = bytes.getOrDefault(n.id(), 0L);
      long bb = bytes.getOrDefault(best.id(), 0L);
      if (b < bb || (b == bb && n.id().compareTo(best.id()) < 0)) {
        best = n;
      }
    }
    return best;
  }

  private static List<RangeShard> merge(
      List<RangeShard> in,
      List<Boolean> fresh,
      RangeThresholds t,
      List<String> changes,
      List<Move> moves) {
    List<RangeShard> out = new ArrayList<>(in);
    List<Boolean> isFresh = new ArrayList<>(fresh);
    int i = 0;
    while (i < out.size()) {
      RangeShard s = out.get(i);
      boolean small = s.bytes() < t.minBytes() && s.load() < t.minLoad();
      if (!small || isFresh.get(i)) {
        i++;
        continue;
      }
      int j = pickNeighbour(out, isFresh, i, t);
      if (j < 0) {
        i++;
        continue;
      }
      int lo = Math.min(i, j);
      RangeShard a = out.get(lo);
      RangeShard b = out.get(lo + 1);
      boolean leftBigger = a.bytes() >= b.bytes();
      RangeShard big = leftBigger ? a : b;
      RangeShard little = leftBigger ? b : a;
      KeyRange joined = new KeyRange(a.range().start(), b.range().end());
      out.set(lo, new RangeShard(joined, big.owner(), a.bytes() + b.bytes(), a.load() + b.load()));
      out.remove(lo + 1);
      isFresh.set(lo, true);
      isFresh.remove(lo + 1);
      changes.add("merge " + a.range() + " + " + b.range());
      if (!little.owner().id().equals(big.owner().id())) {
        moves.add(
            new Move(
                little.range().toString(),
                little.range(),
                little.owner(),
                big.owner(),
                little.bytes()));
      }
      i = lo + 1;
    }
    return out;
  }

  private static int pickNeighbour(
      List<RangeShard> out, List<Boolean> fresh, int i, RangeThresholds t) {
    int best = -1;
    for (int j : new int[] {i - 1, i + 1}) {
      if (j < 0 || j >= out.size() || fresh.get(j)) {
        continue;
      }
      RangeShard s = out.get(i);
      RangeShard n = out.get(j);
      boolean fits = s.bytes() + n.bytes() <= t.maxBytes() && s.load() + n.load() <= t.maxLoad();
      if (fits && (best < 0 || n.bytes() < out.get(best).bytes())) {
        best = j;
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return "RangeIndex" + shards;
  }
}
