package io.bulwark.data.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every partitioner promises through the interface, checked for each algorithm. */
class PartitionerContractTest {

  static Function<List<Node>, Partitioner> factory(String algorithm) {
    return switch (algorithm) {
      case "ring" -> Partitioner::ring;
      case "jump" -> Partitioner::jump;
      case "rendezvous" -> Partitioner::rendezvous;
      case "maglev" -> Partitioner::maglev;
      default -> throw new IllegalArgumentException(algorithm);
    };
  }

  @Provide
  Arbitrary<String> algorithms() {
    return Arbitraries.of("ring", "jump", "rendezvous", "maglev");
  }

  @Property(tries = 30)
  void topKOwnersAreDistinctWithThePrimaryFirst(
      @ForAll("algorithms") String algorithm,
      @ForAll @IntRange(min = 3, max = 1000) int n,
      @ForAll @IntRange(min = 1, max = 1100) int k,
      @ForAll long seed) {
    Partitioner p = factory(algorithm).apply(Sample.nodes(n, seed));
    // lists of up to 1,000 owners cost up to O(n log n) each: fewer keys for large memberships
    for (long key : Sample.keys(n > 300 ? 10 : 60, seed)) {
      List<Node> owners = p.owners(key, k);
      assertThat(owners).hasSize(Math.min(k, n));
      assertThat(new HashSet<>(owners)).hasSize(owners.size());
      assertThat(owners.get(0)).isEqualTo(p.owner(key));
      assertThat(p.nodes()).containsAll(owners);
      List<Node> longer = p.owners(key, k + 1 + (int) (seed & 7));
      assertThat(longer.subList(0, owners.size()))
          .as("a prefix of the longer list")
          .isEqualTo(owners);
    }
  }

  @Property(tries = 40)
  void sameMembershipGivesSameOwnersAndOrderMattersOnlyWhereSaid(
      @ForAll("algorithms") String algorithm,
      @ForAll @IntRange(min = 3, max = 200) int n,
      @ForAll long seed) {
    List<Node> nodes = Sample.nodes(n, seed);
    List<Node> shuffled = new ArrayList<>(nodes);
    Collections.shuffle(shuffled, new Random(seed));
    Partitioner a = factory(algorithm).apply(nodes);
    Partitioner again = factory(algorithm).apply(new ArrayList<>(nodes));
    Partitioner reordered = factory(algorithm).apply(shuffled);
    boolean sameUnderShuffle = true;
    for (long key : Sample.keys(500, seed)) {
      assertThat(again.owners(key, 3)).isEqualTo(a.owners(key, 3));
      sameUnderShuffle &= reordered.owners(key, 3).equals(a.owners(key, 3));
    }
    if (a.guarantees().orderIndependent()) {
      assertThat(sameUnderShuffle).as("%s promises order independence", algorithm).isTrue();
    }
  }

  @Property(tries = 20)
  void stringKeysGoThroughTheFrozenHash(
      @ForAll("algorithms") String algorithm, @ForAll String key, @ForAll long seed) {
    Partitioner p = factory(algorithm).apply(Sample.nodes(7, seed));
    assertThat(p.owner(key)).isEqualTo(p.owner(Partitioner.hash(key)));
    assertThat(p.owners(key, 2)).isEqualTo(p.owners(Partitioner.hash(key), 2));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ring", "jump", "rendezvous", "maglev"})
  void rejectsBadMembershipAndBadKNamingTheValue(String algorithm) {
    Function<List<Node>, Partitioner> f = factory(algorithm);
    assertThatThrownBy(() -> f.apply(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(algorithm)
        .hasMessageContaining("membership must not be empty");
    assertThatThrownBy(() -> f.apply(List.of(Node.of("a"), Node.of("b"), Node.of("a"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate node id 'a' at nodes[2]");
    List<Node> withNull = new ArrayList<>();
    withNull.add(Node.of("a"));
    withNull.add(null);
    assertThatThrownBy(() -> f.apply(withNull)).hasMessageContaining("nodes[1] is null");
    Partitioner p = f.apply(List.of(Node.of("a"), Node.of("b")));
    assertThatThrownBy(() -> p.owners(42L, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k (number of owners) must be >= 1, was 0");
    assertThatThrownBy(() -> p.owners("x", -3)).hasMessageContaining("was -3");
    assertThatThrownBy(() -> p.withNodes(List.of())).hasMessageContaining("must not be empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ring", "jump", "rendezvous", "maglev"})
  void weightsAreAcceptedExactlyWhereTheGuaranteesSaySo(String algorithm) {
    Function<List<Node>, Partitioner> f = factory(algorithm);
    boolean weighted = f.apply(List.of(Node.of("a"))).guarantees().weighted();
    List<Node> heavy = List.of(Node.of("a"), new Node("b", 3.0));
    if (weighted) {
      assertThat(f.apply(heavy).nodes()).isEqualTo(heavy);
    } else {
      assertThatThrownBy(() -> f.apply(heavy)).hasMessageContaining("node b has weight 3.0");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ring", "jump", "rendezvous", "maglev"})
  void aSingleNodeOwnsEverything(String algorithm) {
    Partitioner p = factory(algorithm).apply(List.of(Node.of("solo")));
    for (long key : Sample.keys(1000, 5)) {
      assertThat(p.owner(key).id()).isEqualTo("solo");
      assertThat(p.owners(key, 3)).containsExactly(Node.of("solo"));
    }
    assertThat(p.owner(Long.MIN_VALUE).id()).isEqualTo("solo");
    assertThat(p.owner(Long.MAX_VALUE).id()).isEqualTo("solo");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ring", "jump", "rendezvous", "maglev"})
  void guaranteesNameTheAlgorithmAndPromiseArbitraryRemoval(String algorithm) {
    Guarantees g = factory(algorithm).apply(List.of(Node.of("a"))).guarantees();
    assertThat(g.algorithm()).isEqualTo(algorithm);
    assertThat(g.arbitraryRemoval()).isTrue();
    assertThat(List.of(g.balance(), g.movement(), g.lookupCost())).allMatch(s -> !s.isBlank());
  }

  @org.junit.jupiter.api.Test
  void nodeRejectsBadWeightsAndIds() {
    assertThatThrownBy(() -> new Node("a", 0))
        .hasMessageContaining("node a: weight must be a finite number > 0, was 0.0");
    assertThatThrownBy(() -> new Node("a", -1)).hasMessageContaining("was -1.0");
    assertThatThrownBy(() -> new Node("a", Double.NaN)).hasMessageContaining("was NaN");
    assertThatThrownBy(() -> new Node("a", Double.POSITIVE_INFINITY))
        .hasMessageContaining("was Infinity");
    assertThatThrownBy(() -> Node.of(" ")).hasMessageContaining("blank");
  }
}
