package io.bulwark.data.partition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Memberships, key samples, load counts and the statistical margins the property tests use. */
final class Sample {
  private Sample() {}

  /** {@code n} nodes of weight 1 whose ids depend on {@code seed}. */
  static List<Node> nodes(int n, long seed) {
    List<Node> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(Node.of("node-" + Long.toHexString(seed) + "-" + i));
    }
    return out;
  }

  /** {@code n} nodes with weights drawn from [0.5, 4] by {@code seed}. */
  static List<Node> weightedNodes(int n, long seed) {
    Random r = new Random(seed);
    List<Node> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double w = 0.5 + Math.round(r.nextDouble() * 35) / 10.0;
      out.add(new Node("w-" + Long.toHexString(seed) + "-" + i, w));
    }
    return out;
  }

  /** {@code count} well-spread key hashes of the string keys "key-{seed}-{i}". */
  static long[] keys(int count, long seed) {
    long[] k = new long[count];
    String prefix = "key-" + Long.toHexString(seed) + "-";
    for (int i = 0; i < count; i++) {
      k[i] = Partitioner.hash(prefix + i);
    }
    return k;
  }

  /** Keys per node id. */
  static Map<String, Integer> loads(Partitioner p, long[] keys) {
    Map<String, Integer> load = new HashMap<>();
    for (Node n : p.nodes()) {
      load.put(n.id(), 0);
    }
    for (long k : keys) {
      load.merge(p.owner(k).id(), 1, Integer::sum);
    }
    return load;
  }

  static int max(Map<String, Integer> load) {
    int m = 0;
    for (int v : load.values()) {
      m = Math.max(m, v);
    }
    return m;
  }

  /**
   * How many standard deviations the largest of {@code n} roughly normal counts may sit above its
   * mean in these tests: √(2 ln n), the expected maximum, plus 4 for the tail, so that a try fails
   * by chance with probability below about e^-8 per node set.
   */
  static double maxSigmas(int n) {
    return Math.sqrt(2 * Math.log(n)) + 4;
  }

  /**
   * The upper bound on one count of a binomial with {@code trials} and probability {@code p} when
   * the largest of {@code n} such counts is taken: mean + maxSigmas(n) × sd + 1.
   */
  static double binomialMax(long trials, double p, int n) {
    double mean = trials * p;
    return mean + maxSigmas(n) * Math.sqrt(mean * (1 - p)) + 1;
  }

  /** A membership with node {@code index} removed. */
  static List<Node> without(List<Node> nodes, int index) {
    List<Node> out = new ArrayList<>(nodes);
    out.remove(index);
    return out;
  }

  /** A membership with {@code extra} appended. */
  static List<Node> with(List<Node> nodes, Node extra) {
    List<Node> out = new ArrayList<>(nodes);
    out.add(extra);
    return out;
  }
}
