package io.bulwark.data.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Membership changes become explicit move plans, measured against the ideal 1/N. */
class RebalancePlannerTest {
  private static final int BUCKETS = 4096;

  @Property(tries = 20)
  void aJoinPlanMovesBucketsOnlyToTheJoinerAndAboutTheIdealFraction(
      @ForAll @IntRange(min = 3, max = 200) int n,
      @ForAll("algorithm") String algorithm,
      @ForAll long seed) {
    List<Node> nodes = Sample.nodes(n, seed);
    Partitioner before = PartitionerContractTest.factory(algorithm).apply(nodes);
    Node joiner = Node.of("joiner");
    Partitioner after = before.withNodes(Sample.with(nodes, joiner));
    MovePlan plan = RebalancePlanner.plan(before, after, Bucket.uniform(BUCKETS, 1000));
    assertThat(plan.idealFraction()).isCloseTo(1.0 / (n + 1), within(1e-12));
    assertThat(plan.units()).isEqualTo(BUCKETS);
    assertThat(plan.totalBytes()).isEqualTo(BUCKETS * 1000L);
    assertThat(plan.movedBytes()).isEqualTo(plan.moves().size() * 1000L);
    assertThat(plan.fractionMoved()).isEqualTo(plan.moves().size() / (double) BUCKETS);
    if (!algorithm.equals("maglev")) {
      assertThat(plan.moves()).allMatch(m -> m.to().equals(joiner));
    }
    // the joiner's expected share plus sampling of 4096 buckets (ring: plus its vnode deviation)
    double share =
        algorithm.equals("ring")
            ? (1 + Sample.maxSigmas(n) / Math.sqrt(160)) / (n + 1)
            : 1.0 / (n + 1);
    double extra = algorithm.equals("maglev") ? 0.02 * BUCKETS : 0;
    assertThat((double) plan.moves().size())
        .isLessThanOrEqualTo(Sample.binomialMax(BUCKETS, share, 1) + extra);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> algorithm() {
    return net.jqwik.api.Arbitraries.of("ring", "jump", "rendezvous", "maglev");
  }

  @Test
  void aLeavePlanMovesExactlyTheLeaversBucketsWithTheirSizes() {
    List<Node> nodes = Sample.nodes(10, 3);
    Partitioner before = Partitioner.jump(nodes);
    Partitioner after = before.withNodes(Sample.without(nodes, 4));
    List<Bucket> buckets = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      buckets.add(new Bucket("b" + i, Partitioner.hash("b" + i), i));
    }
    MovePlan plan = RebalancePlanner.plan(before, after, buckets);
    long leaverBytes = 0;
    int leaverBuckets = 0;
    for (Bucket b : buckets) {
      if (before.owner(b.keyHash()).equals(nodes.get(4))) {
        leaverBytes += b.bytes();
        leaverBuckets++;
      }
    }
    assertThat(plan.moves()).hasSize(leaverBuckets).allMatch(m -> m.from().equals(nodes.get(4)));
    assertThat(plan.movedBytes()).isEqualTo(leaverBytes);
    assertThat(plan.fractionMoved()).isEqualTo(leaverBytes / (double) plan.totalBytes());
    assertThat(plan.idealFraction()).isCloseTo(0.1, within(1e-12));
  }

  @Test
  void idealFractionIsTheWeightShareGained() {
    Node a = Node.of("a");
    Node b = Node.of("b");
    Node c = new Node("c", 2.0);
    assertThat(RebalancePlanner.idealFraction(List.of(a, b), List.of(a, b))).isZero();
    assertThat(RebalancePlanner.idealFraction(List.of(a, b), List.of(a, b, c)))
        .isCloseTo(0.5, within(1e-12));
    assertThat(RebalancePlanner.idealFraction(List.of(a, b, c), List.of(a, c)))
        .isCloseTo(0.25, within(1e-12)); // b's quarter goes; a gains 1/3−1/4, c 2/3−1/2
    assertThat(RebalancePlanner.idealFraction(List.of(a, b), List.of(a, new Node("b", 3.0))))
        .isCloseTo(0.25, within(1e-12));
  }

  @Test
  void anUnchangedMembershipPlansNothing() {
    Partitioner p = Partitioner.ring(Sample.nodes(5, 1));
    MovePlan plan = RebalancePlanner.plan(p, p.withNodes(p.nodes()), Bucket.uniform(100, 1));
    assertThat(plan.moves()).isEmpty();
    assertThat(plan.fractionMoved()).isZero();
    assertThat(plan.movementRatio()).isEqualTo(1.0);
  }

  @Test
  void rejectsBadBucketsNamingThem() {
    Partitioner p = Partitioner.ring(Sample.nodes(3, 1));
    assertThatThrownBy(() -> RebalancePlanner.plan(p, p, List.of()))
        .hasMessageContaining("bucket list must not be empty");
    assertThatThrownBy(
            () ->
                RebalancePlanner.plan(p, p, List.of(new Bucket("x", 1, 1), new Bucket("x", 2, 1))))
        .hasMessageContaining("duplicate bucket id 'x'");
    assertThatThrownBy(() -> new Bucket("y", 1, -5))
        .hasMessageContaining("bucket y: bytes must be >= 0, was -5");
    assertThatThrownBy(() -> Bucket.uniform(0, 1)).hasMessageContaining("was 0");
    assertThatThrownBy(() -> new Move("z", null, Node.of("a"), Node.of("a"), 1))
        .hasMessageContaining("from and to are both a");
  }
}
