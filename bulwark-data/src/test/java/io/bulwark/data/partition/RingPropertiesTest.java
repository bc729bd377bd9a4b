package io.bulwark.data.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The ring's guarantees as inequalities. With V points per node, a node's share is a sum of V
 * exponential arcs, so its relative deviation is about 1/√V and the largest share over N nodes is
 * below (1 + maxSigmas(N)/√V)/N (maxSigmas = √(2 ln N) + 4). Movement is exact: a join moves keys
 * only to the joiner, a leave moves exactly the leaver's keys.
 */
class RingPropertiesTest {
  private static final int KEYS = 60_000;

  @Property(tries = 12)
  void largestShareIsWithinTheVirtualNodeBound(
      @ForAll @IntRange(min = 3, max = 1000) int n,
      @ForAll @IntRange(min = 20, max = 400) int vnodes,
      @ForAll long seed) {
    RingPartitioner ring = RingPartitioner.of(Sample.nodes(n, seed), vnodes);
    Map<Node, Double> shares = ring.shares();
    double sum = shares.values().stream().mapToDouble(Double::doubleValue).sum();
    double max = shares.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(max * n)
        .as("max/mean over %d nodes with %d vnodes", n, vnodes)
        .isLessThanOrEqualTo(1 + Sample.maxSigmas(n) / Math.sqrt(vnodes));
  }

  @Property(tries = 6)
  void sampledKeysFollowTheExactShares(
      @ForAll @IntRange(min = 3, max = 300) int n, @ForAll long seed) {
    RingPartitioner ring = RingPartitioner.of(Sample.nodes(n, seed), 100);
    Map<String, Integer> load = Sample.loads(ring, Sample.keys(KEYS, seed));
    ring.shares()
        .forEach(
            (node, share) -> {
              double mean = KEYS * share;
              assertThat((double) load.get(node.id()))
                  .as("keys on %s (share %s)", node.id(), share)
                  .isBetween(
                      mean - Sample.maxSigmas(n) * Math.sqrt(mean) - 1,
                      mean + Sample.maxSigmas(n) * Math.sqrt(mean) + 1);
            });
  }

  @Property(tries = 10)
  void aJoinMovesKeysOnlyToTheJoinerAndAboutItsShare(
      @ForAll @IntRange(min = 3, max = 1000) int n, @ForAll long seed) {
    List<Node> nodes = Sample.nodes(n, seed);
    RingPartitioner before = RingPartitioner.of(nodes, RingPartitioner.DEFAULT_VNODES);
    Node joiner = Node.of("joiner-" + seed);
    RingPartitioner after = before.withNodes(Sample.with(nodes, joiner));
    int moved = Movement.onlyToJoiner(before, after, joiner, Sample.keys(KEYS, seed));
    double share = after.shares().get(joiner);
    double bound = (1 + Sample.maxSigmas(n) / Math.sqrt(RingPartitioner.DEFAULT_VNODES)) / (n + 1);
    assertThat(share).as("joiner's exact share").isLessThanOrEqualTo(bound);
    assertThat((double) moved).isLessThanOrEqualTo(Sample.binomialMax(KEYS, share, 1));
  }

  @Property(tries = 10)
  void aLeaveMovesExactlyTheLeaversKeys(
      @ForAll @IntRange(min = 3, max = 1000) int n,
      @ForAll @IntRange(min = 0, max = 999) int pick,
      @ForAll long seed) {
    List<Node> nodes = Sample.nodes(n, seed);
    RingPartitioner before = RingPartitioner.of(nodes, RingPartitioner.DEFAULT_VNODES);
    Node leaver = nodes.get(pick % n);
    RingPartitioner after = before.withNodes(Sample.without(nodes, pick % n));
    Movement.onlyLeaversKeys(before, after, leaver, Sample.keys(KEYS, seed));
  }

  /**
   * Weighted: node i places p_i = round(V·w_i) points, so its share is p_i/P up to a relative
   * deviation of 1/√p_i, and p_i/P is w_i/W up to the rounding (1/p_i + N/(2·V·W) relative). Per
   * node the bound is maxSigmas/√p_i; per weight class (nodes of equal weight summed) the
   * deviations average out, so the class's share must be within maxSigmas standard deviations of
   * the class's weight fraction.
   */
  @Property(tries = 10)
  void weightsAreHonouredWithinTheVirtualNodeTolerance(
      @ForAll @IntRange(min = 3, max = 200) int n, @ForAll long seed) {
    int v = 400;
    List<Node> nodes = Sample.weightedNodes(n, seed);
    RingPartitioner ring = RingPartitioner.of(nodes, v);
    double total = Members.totalWeight(nodes);
    Map<Double, double[]> classes =
        new java.util.HashMap<>(); // weight -> {observed, ideal, var, rounding}
    ring.shares()
        .forEach(
            (node, share) -> {
              long points = Math.max(1, Math.round(v * node.weight()));
              double ideal = node.weight() / total;
              double rounding = 1.0 / points + n / (2.0 * v * total);
              double tolerance = Sample.maxSigmas(n) / Math.sqrt((double) points) + rounding;
              assertThat(share / ideal)
                  .as("share of %s (weight %s) over its ideal", node.id(), node.weight())
                  .isBetween(1 - tolerance, 1 + tolerance);
              double[] c = classes.computeIfAbsent(node.weight(), w -> new double[4]);
              c[0] += share;
              c[1] += ideal;
              c[2] += ideal * ideal / points;
              c[3] += ideal * rounding;
            });
    classes.forEach(
        (weight, c) ->
            assertThat(Math.abs(c[0] - c[1]))
                .as("weight class %s: share %s, ideal %s", weight, c[0], c[1])
                .isLessThanOrEqualTo(Sample.maxSigmas(classes.size()) * Math.sqrt(c[2]) + c[3]));
  }
}
