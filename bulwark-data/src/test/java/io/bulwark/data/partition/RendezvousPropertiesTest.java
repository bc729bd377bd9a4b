package io.bulwark.data.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Weighted rendezvous. The scores are independent exponential races, so node i wins a key with
 * probability exactly w_i/W: its load over K keys is Binomial(K, w_i/W), below binomialMax. Joins
 * and leaves are exact, for the primary and for the whole top-k list.
 */
class RendezvousPropertiesTest {

  @Property(tries = 6)
  void loadIsBinomiallyBalanced(@ForAll @IntRange(min = 3, max = 1000) int n, @ForAll long seed) {
    int keys = Math.max(20_000, 40 * n);
    RendezvousPartitioner p = RendezvousPartitioner.of(Sample.nodes(n, seed));
    int max = Sample.max(Sample.loads(p, Sample.keys(keys, seed)));
    assertThat((double) max).isLessThanOrEqualTo(Sample.binomialMax(keys, 1.0 / n, n));
  }

  @Property(tries = 8)
  void weightsAreHonouredExactlyUpToSamplingNoise(
      @ForAll @IntRange(min = 3, max = 200) int n, @ForAll long seed) {
    int keys = 40_000;
    List<Node> nodes = Sample.weightedNodes(n, seed);
    double total = Members.totalWeight(nodes);
    Map<String, Integer> load =
        Sample.loads(RendezvousPartitioner.of(nodes), Sample.keys(keys, seed));
    for (Node node : nodes) {
      double p = node.weight() / total;
      double mean = keys * p;
      double slack = Sample.binomialMax(keys, p, n) - mean;
      assertThat((double) load.get(node.id()))
          .as("keys on %s of weight %s", node.id(), node.weight())
          .isBetween(mean - slack, mean + slack);
    }
  }

  /**
   * Against the textbook formula, computed here: the owner maximises −w/ln(u), u the key–node hash
   * in (0, 1); ties (equal scores) go to the lower id. Equal weights take a shortcut without the
   * logarithm inside the partitioner; it must pick the same node.
   */
  @Property(tries = 20)
  void ownerMaximisesTheLogarithmicScore(
      @ForAll @IntRange(min = 1, max = 60) int n, @ForAll boolean weighted, @ForAll long seed) {
    List<Node> nodes = weighted ? Sample.weightedNodes(n, seed) : Sample.nodes(n, seed);
    RendezvousPartitioner p = RendezvousPartitioner.of(nodes);
    List<Node> byId = new ArrayList<>(nodes);
    byId.sort(java.util.Comparator.comparing(Node::id));
    for (long key : Sample.keys(300, seed)) {
      Node best = byId.get(0);
      double bestScore = Double.NEGATIVE_INFINITY;
      for (Node node : byId) {
        long h = Hashing64.pair(key, Partitioner.hash(node.id()));
        double u = ((h >>> 11) + 0.5) / (1L << 53);
        double score = -node.weight() / Math.log(u);
        if (score > bestScore) {
          best = node;
          bestScore = score;
        }
      }
      assertThat(p.owner(key)).isEqualTo(best);
      assertThat(p.owners(key, 1)).containsExactly(best);
    }
  }

  @Property(tries = 8)
  void aJoinMovesKeysOnlyToTheJoiner(
      @ForAll @IntRange(min = 3, max = 1000) int n, @ForAll long seed) {
    int keys = Math.min(20_000, 4_000_000 / n); // O(n) per key: fewer keys for large memberships
    List<Node> nodes = Sample.nodes(n, seed);
    RendezvousPartitioner before = RendezvousPartitioner.of(nodes);
    Node joiner = Node.of("joiner-" + seed);
    int moved =
        Movement.onlyToJoiner(
            before, before.withNodes(Sample.with(nodes, joiner)), joiner, Sample.keys(keys, seed));
    assertThat((double) moved).isLessThanOrEqualTo(Sample.binomialMax(keys, 1.0 / (n + 1), 1));
  }

  /** A leave moves exactly the leaver's keys, and every top-k list only loses the leaver. */
  @Property(tries = 8)
  void aLeaveChangesEveryTopKListOnlyByTheLeaver(
      @ForAll @IntRange(min = 3, max = 1000) int n,
      @ForAll @IntRange(min = 0, max = 999) int pick,
      @ForAll @IntRange(min = 1, max = 5) int k,
      @ForAll long seed) {
    List<Node> nodes = Sample.nodes(n, seed);
    Node leaver = nodes.get(pick % n);
    RendezvousPartitioner before = RendezvousPartitioner.of(nodes);
    RendezvousPartitioner after = before.withNodes(Sample.without(nodes, pick % n));
    long[] keys = Sample.keys(Math.min(5_000, 1_000_000 / n), seed); // O(n) per key, as above
    Movement.onlyLeaversKeys(before, after, leaver, keys);
    for (long key : keys) {
      List<Node> was = new ArrayList<>(before.owners(key, k + 1));
      was.remove(leaver);
      List<Node> now = after.owners(key, k);
      assertThat(now).isEqualTo(was.subList(0, Math.min(k, was.size())));
    }
  }
}
