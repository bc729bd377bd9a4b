package io.bulwark.data.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Jump hash behind the tombstone table. Every live bucket is equally likely, so the load of a node
 * over K keys is Binomial(K, 1/N) and the largest is below binomialMax(K, 1/N, N). Movement is
 * exact: a join (appended or into a tombstone) moves keys only to the joiner, about K/(N+1) of
 * them; a leave of any node moves exactly its keys.
 */
class JumpPropertiesTest {

  @Property(tries = 300)
  void theRawJumpIsMonotone(
      @ForAll long key, @ForAll @IntRange(min = 1, max = 100_000) int buckets) {
    int b = JumpPartitioner.jump(key, buckets);
    int next = JumpPartitioner.jump(key, buckets + 1);
    assertThat(b).isBetween(0, buckets - 1);
    assertThat(next).as("a key moves only to the new bucket").isIn(b, buckets);
  }

  @Property(tries = 12)
  void loadIsBinomiallyBalanced(@ForAll @IntRange(min = 3, max = 1000) int n, @ForAll long seed) {
    int keys = 200 * n;
    JumpPartitioner jump = JumpPartitioner.of(Sample.nodes(n, seed));
    int max = Sample.max(Sample.loads(jump, Sample.keys(keys, seed)));
    assertThat((double) max).isLessThanOrEqualTo(Sample.binomialMax(keys, 1.0 / n, n));
  }

  @Property(tries = 8)
  void loadStaysBalancedAcrossTombstones(
      @ForAll @IntRange(min = 4, max = 1000) int n,
      @ForAll @IntRange(min = 1, max = 499) int removals,
      @ForAll long seed) {
    List<Node> nodes = Sample.nodes(n, seed);
    int r = Math.min(removals, n / 2);
    Random random = new Random(seed);
    List<Node> live = new ArrayList<>(nodes);
    for (int i = 0; i < r; i++) {
      live.remove(random.nextInt(live.size()));
    }
    JumpPartitioner jump = JumpPartitioner.of(nodes).withNodes(live);
    assertThat(jump.tombstoneCount()).isEqualTo(r);
    int keys = 200 * live.size();
    int max = Sample.max(Sample.loads(jump, Sample.keys(keys, seed)));
    assertThat((double) max)
        .isLessThanOrEqualTo(Sample.binomialMax(keys, 1.0 / live.size(), live.size()));
  }

  @Property(tries = 10)
  void aJoinMovesKeysOnlyToTheJoinerAndAboutOneInNPlusOne(
      @ForAll @IntRange(min = 3, max = 1000) int n, @ForAll long seed) {
    int keys = 50_000;
    List<Node> nodes = Sample.nodes(n, seed);
    JumpPartitioner before = JumpPartitioner.of(nodes);
    Node joiner = Node.of("joiner-" + seed);
    JumpPartitioner after = before.withNodes(Sample.with(nodes, joiner));
    int moved = Movement.onlyToJoiner(before, after, joiner, Sample.keys(keys, seed));
    assertThat((double) moved).isLessThanOrEqualTo(Sample.binomialMax(keys, 1.0 / (n + 1), 1));
  }

  @Property(tries = 10)
  void anyNodeCanLeaveAndOnlyItsKeysMove(
      @ForAll @IntRange(min = 3, max = 1000) int n,
      @ForAll @IntRange(min = 0, max = 999) int pick,
      @ForAll long seed) {
    List<Node> nodes = Sample.nodes(n, seed);
    JumpPartitioner before = JumpPartitioner.of(nodes);
    Node leaver = nodes.get(pick % n);
    JumpPartitioner after = before.withNodes(Sample.without(nodes, pick % n));
    Movement.onlyLeaversKeys(before, after, leaver, Sample.keys(20_000, seed));
    assertThat(after.nodes()).doesNotContain(leaver).hasSize(n - 1);
  }

  /** A random run of joins and leaves: each step is minimal, and joins refill tombstones. */
  @Property(tries = 10)
  void everyStepOfAMembershipRunIsMinimal(
      @ForAll @IntRange(min = 3, max = 60) int n, @ForAll long seed) {
    Random random = new Random(seed);
    long[] keys = Sample.keys(5_000, seed);
    List<Node> members = new ArrayList<>(Sample.nodes(n, seed));
    JumpPartitioner p = JumpPartitioner.of(members);
    for (int step = 0; step < 30; step++) {
      List<Node> next = new ArrayList<>(members);
      JumpPartitioner q;
      if (members.size() > 2 && random.nextBoolean()) {
        Node leaver = next.remove(random.nextInt(next.size()));
        q = p.withNodes(next);
        Movement.onlyLeaversKeys(p, q, leaver, keys);
        assertThat(q.bucketCount()).isEqualTo(p.bucketCount());
      } else {
        Node joiner = Node.of("j-" + seed + "-" + step);
        next.add(joiner);
        q = p.withNodes(next);
        Movement.onlyToJoiner(p, q, joiner, keys);
        int expectedBuckets = p.tombstoneCount() > 0 ? p.bucketCount() : p.bucketCount() + 1;
        assertThat(q.bucketCount()).as("a tombstone is reused first").isEqualTo(expectedBuckets);
      }
      assertThat(Movement.ids(q.nodes())).containsExactlyInAnyOrderElementsOf(Movement.ids(next));
      members = next;
      p = q;
    }
  }

  @Test
  void rejectsWeightsNamingTheNode() {
    assertThatThrownBy(() -> JumpPartitioner.of(List.of(Node.of("a"), new Node("b", 2.0))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node b has weight 2.0");
    JumpPartitioner p = JumpPartitioner.of(List.of(Node.of("a"), Node.of("b")));
    assertThatThrownBy(() -> p.withNodes(List.of(Node.of("a"), new Node("c", 0.5))))
        .hasMessageContaining("node c has weight 0.5");
  }

  @Test
  void aRejoiningNodeTakesTheLowestTombstone() {
    List<Node> abcd = List.of(Node.of("a"), Node.of("b"), Node.of("c"), Node.of("d"));
    JumpPartitioner p = JumpPartitioner.of(abcd).withNodes(List.of(Node.of("a"), Node.of("d")));
    assertThat(p.tombstoneCount()).isEqualTo(2);
    JumpPartitioner q = p.withNodes(List.of(Node.of("a"), Node.of("d"), Node.of("e")));
    assertThat(q.tombstoneCount()).isEqualTo(1);
    assertThat(q.bucketCount()).isEqualTo(4);
    assertThat(Movement.ids(q.nodes())).containsExactly("a", "e", "d");
  }
}
