package io.bulwark.data.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** Range sharding: lookup, validation, and splits and merges by size and by load. */
class RangeIndexTest {
  private static final Node A = Node.of("a");
  private static final Node B = Node.of("b");
  private static final Node C = Node.of("c");

  static RangeShard shard(String start, String end, Node owner, long bytes, double load) {
    return new RangeShard(new KeyRange(start, end), owner, bytes, load);
  }

  /** Contiguous shards over the sorted distinct boundaries, owners and sizes from the index. */
  static RangeIndex index(List<String> boundaries, List<Node> owners, long[] bytes) {
    List<String> cuts = new ArrayList<>(new TreeSet<>(boundaries));
    cuts.remove("");
    List<RangeShard> shards = new ArrayList<>();
    String start = "";
    for (int i = 0; i <= cuts.size(); i++) {
      String end = i < cuts.size() ? cuts.get(i) : null;
      shards.add(
          new RangeShard(
              new KeyRange(start, end), owners.get(i % owners.size()), bytes[i % bytes.length], 1));
      start = end;
    }
    return RangeIndex.of(shards);
  }

  @Property(tries = 200)
  void lookupFindsTheShardWhoseRangeHoldsTheKey(
      @ForAll @Size(max = 40) List<@AlphaChars @StringLength(max = 4) String> boundaries,
      @ForAll @Size(min = 1, max = 50) List<@AlphaChars @StringLength(max = 5) String> keys) {
    RangeIndex index = index(boundaries, List.of(A, B, C), new long[] {1});
    for (String key : keys) {
      List<RangeShard> holding =
          index.shards().stream().filter(s -> s.range().contains(key)).toList();
      assertThat(holding).hasSize(1);
      assertThat(index.shardOf(key)).isEqualTo(holding.get(0));
      assertThat(index.owner(key)).isEqualTo(holding.get(0).owner());
    }
  }

  @Test
  void rejectsUnsortedOverlappingGappedOrBoundedIndexesNamingTheShard() {
    assertThatThrownBy(() -> RangeIndex.of(List.of())).hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> RangeIndex.of(List.of(shard("b", null, A, 0, 0))))
        .hasMessageContaining(
            "shards[0] ['b', +∞) leaves a gap after the previous shard, which ends at ''");
    assertThatThrownBy(
            () -> RangeIndex.of(List.of(shard("", "m", A, 0, 0), shard("k", null, B, 0, 0))))
        .hasMessageContaining("shards[1] ['k', +∞) overlaps the previous shard, which ends at 'm'");
    assertThatThrownBy(
            () -> RangeIndex.of(List.of(shard("", "m", A, 0, 0), shard("p", null, B, 0, 0))))
        .hasMessageContaining("shards[1] ['p', +∞) leaves a gap");
    assertThatThrownBy(
            () -> RangeIndex.of(List.of(shard("", null, A, 0, 0), shard("p", null, B, 0, 0))))
        .hasMessageContaining("shards[1] ['p', +∞) follows an unbounded shard");
    assertThatThrownBy(() -> RangeIndex.of(List.of(shard("", "m", A, 0, 0))))
        .hasMessageContaining("the last shard ends at 'm'; it must be unbounded");
    assertThatThrownBy(() -> new KeyRange("m", "c"))
        .hasMessageContaining("end 'c' must be after start 'm'");
    assertThatThrownBy(() -> new KeyRange("m", "m"))
        .hasMessageContaining("end 'm' must be after start 'm'");
    assertThatThrownBy(() -> shard("", null, A, -1, 0))
        .hasMessageContaining("bytes must be >= 0, was -1");
    assertThatThrownBy(() -> shard("", null, A, 0, Double.NaN)).hasMessageContaining("was NaN");
  }

  @Test
  void thresholdsRejectBadValuesNamingThem() {
    assertThatThrownBy(() -> new RangeThresholds(0, 0, 1, 0))
        .hasMessageContaining("maxBytes must be > 0, was 0");
    assertThatThrownBy(() -> new RangeThresholds(10, 10, 1, 0))
        .hasMessageContaining("minBytes must be >= 0 and < maxBytes (10), was 10");
    assertThatThrownBy(() -> new RangeThresholds(10, 1, -1, 0))
        .hasMessageContaining("maxLoad must be a finite number > 0, was -1.0");
    assertThatThrownBy(() -> new RangeThresholds(10, 1, 5, 7))
        .hasMessageContaining("minLoad must be >= 0 and < maxLoad (5.0), was 7.0");
  }

  @Test
  void anOversizedShardSplitsAndItsUpperPartGoesToTheLightestNode() {
    RangeIndex index =
        RangeIndex.of(List.of(shard("", "m", A, 900, 1), shard("m", null, B, 100, 1)));
    RangeSplitter atG = s -> Optional.of(new RangeSplitter.Cut("g", 500, 0.5));
    RangePlan plan = index.rebalance(RangeThresholds.bySize(600, 50), atG, List.of(A, B, C));
    assertThat(plan.after().shards())
        .containsExactly(
            shard("", "g", A, 500, 0.5), shard("g", "m", C, 400, 0.5), shard("m", null, B, 100, 1));
    assertThat(plan.changes()).containsExactly("split [-∞, 'm') at 'g'");
    assertThat(plan.moves())
        .containsExactly(new Move("['g', 'm')", new KeyRange("g", "m"), A, C, 400));
  }

  @Test
  void aHotShardSplitsByLoad() {
    RangeIndex index = RangeIndex.of(List.of(shard("", "m", A, 10, 90), shard("m", null, B, 4, 5)));
    RangeSplitter split = s -> Optional.of(new RangeSplitter.Cut("f", 6, 45));
    RangePlan plan = index.rebalance(RangeThresholds.byLoad(50, 1), split, List.of(A, B));
    assertThat(plan.after().shards())
        .containsExactly(
            shard("", "f", A, 6, 45), shard("f", "m", B, 4, 45), shard("m", null, B, 4, 5));
    assertThat(plan.moves())
        .containsExactly(new Move("['f', 'm')", new KeyRange("f", "m"), A, B, 4));
    assertThat(plan.after().owner("h")).isEqualTo(B);
  }

  @Test
  void smallNeighboursMergeIntoTheLargerOwner() {
    RangeIndex index =
        RangeIndex.of(
            List.of(
                shard("", "c", A, 500, 1),
                shard("c", "f", B, 10, 0),
                shard("f", "k", C, 30, 0),
                shard("k", null, A, 500, 1)));
    RangePlan plan =
        index.rebalance(RangeThresholds.bySize(1000, 50), s -> Optional.empty(), List.of(A, B, C));
    // [c,f) is small: its smaller fitting neighbour is [f,k) (30 < 500); C holds more, so B's moves
    assertThat(plan.after().shards())
        .containsExactly(
            shard("", "c", A, 500, 1), shard("c", "k", C, 40, 0), shard("k", null, A, 500, 1));
    assertThat(plan.moves())
        .containsExactly(new Move("['c', 'f')", new KeyRange("c", "f"), B, C, 10));
  }

  @Test
  void aSplitterCutOutsideTheShardIsRejectedNamingIt() {
    RangeIndex index = RangeIndex.of(List.of(shard("", "m", A, 900, 1), shard("m", null, B, 1, 1)));
    RangeThresholds t = RangeThresholds.bySize(600, 0);
    assertThatThrownBy(
            () ->
                index.rebalance(t, s -> Optional.of(new RangeSplitter.Cut("z", 1, 0)), List.of(A)))
        .hasMessageContaining("cut key 'z' is not strictly inside [-∞, 'm')");
    assertThatThrownBy(
            () -> index.rebalance(t, s -> Optional.of(new RangeSplitter.Cut("", 1, 0)), List.of(A)))
        .hasMessageContaining("cut key '' is not strictly inside");
    assertThatThrownBy(
            () ->
                index.rebalance(
                    t, s -> Optional.of(new RangeSplitter.Cut("c", 901, 0)), List.of(A)))
        .hasMessageContaining("puts 901 bytes on the left of a 900-byte shard");
    assertThatThrownBy(() -> index.rebalance(t, s -> Optional.empty(), List.of()))
        .hasMessageContaining("membership must not be empty");
  }

  /**
   * Repeated passes with a splitter that halves at the midpoint of a shard's keys converge: bytes
   * are conserved, no shard ends above the maximum, every move's bytes match, and the index stays
   * valid (of() re-checks it).
   */
  @Property(tries = 60)
  void repeatedPassesConvergeWithinThresholds(
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 5000) Integer> sizes,
      @ForAll @IntRange(min = 100, max = 2000) int max,
      @ForAll @IntRange(min = 0, max = 99) int min) {
    List<RangeShard> shards = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      String start = i == 0 ? "" : key(i * 1_000_000L);
      String end = i + 1 < sizes.size() ? key((i + 1) * 1_000_000L) : null;
      shards.add(new RangeShard(new KeyRange(start, end), i % 2 == 0 ? A : B, sizes.get(i), 0));
    }
    RangeIndex index = RangeIndex.of(shards);
    long total = sizes.stream().mapToLong(Integer::longValue).sum();
    RangeSplitter halves = RangeIndexTest::halve;
    RangeThresholds t = RangeThresholds.bySize(max, min);
    for (int pass = 0; pass < 40; pass++) {
      RangePlan plan = index.rebalance(t, halves, List.of(A, B, C));
      assertThat(plan.after().shards().stream().mapToLong(RangeShard::bytes).sum())
          .isEqualTo(total);
      for (Move m : plan.moves()) {
        assertThat(m.range()).isNotNull();
      }
      index = plan.after();
      if (plan.changes().isEmpty()) {
        break;
      }
    }
    for (RangeShard s : index.shards()) {
      boolean cuttable = halve(s).isPresent();
      assertThat(s.bytes() <= max || !cuttable)
          .as("shard %s of %d bytes", s.range(), s.bytes())
          .isTrue();
    }
  }

  /** Keys are fixed-width decimal numbers; a shard's bytes are spread evenly over its numbers. */
  private static String key(long n) {
    return String.format("%012d", n);
  }

  private static Optional<RangeSplitter.Cut> halve(RangeShard s) {
    long lo = s.range().start().isEmpty() ? 0 : Long.parseLong(s.range().start());
    long hi = s.range().end() == null ? 100_000_000L : Long.parseLong(s.range().end());
    long mid = (lo + hi) / 2;
    if (mid <= lo || s.bytes() < 2) {
      return Optional.empty();
    }
    return Optional.of(new RangeSplitter.Cut(key(mid), s.bytes() / 2, s.load() / 2));
  }
}
