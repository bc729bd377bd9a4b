package io.bulwark.data.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Weighted rendezvous (highest random weight) hashing, logarithmic method: node n scores a key
 * {@code −w_n / ln(u)}, with {@code u = pair(keyHash, hash(n.id))} mapped into (0, 1), and the
 * highest score owns the key; the owners in descending score order are the replicas.
 *
 * <p>Guarantees: node n owns exactly {@code w_n / W} of the keys in expectation (the scores are
 * exponential races), so weights are honoured exactly up to sampling noise; a joining node takes
 * only keys it now wins (≈ its share), a leaving node's keys go to their next-ranked node, and no
 * other key moves — for the top-k list as well, which makes it the best choice for replicas. The
 * owners depend only on the set of nodes. Lookup costs O(N) (one hash and one logarithm per node),
 * so it suits up to a few hundred nodes per lookup-heavy path. Immutable and thread-safe.
 */
public final class RendezvousPartitioner implements Partitioner {
  private final List<Node> nodes;
  private final Node[] byId;
  private final long[] idHash;
  private final double[] weight;
  private final boolean uniform;

  private RendezvousPartitioner(List<Node> nodes) {
    this.nodes = nodes;
    this.byId = nodes.toArray(new Node[0]);
    Arrays.sort(byId, Comparator.comparing(Node::id));
    this.idHash = new long[byId.length];
    this.weight = new double[byId.length];
    for (int i = 0; i < byId.length; i++) {
      idHash[i] = Hashing64.string(byId[i].id());
      weight[i] = byId[i].weight();
    }
    boolean same = true;
    for (double w : weight) {
      same &= w == weight[0];
    }
    this.uniform = same;
  }

  /**
   * Rendezvous over {@code nodes}.
   *
   * @throws IllegalArgumentException for an empty membership or a duplicate id
   */
  public static RendezvousPartitioner of(List<Node> nodes) {
    return new RendezvousPartitioner(Members.checked("rendezvous", nodes));
  }

  private double score(long keyHash, int i) {
    return -weight[i] / Math.log(Hashing64.unitOpen(Hashing64.pair(keyHash, idHash[i])));
  }

  @Override
  public Node owner(long keyHash) {
    return uniform ? byId[uniformWinner(keyHash)] : byId[weightedWinner(keyHash)];
  }

  /**
   * With equal weights the score −w/ln(u) rises with u, so the winner is the largest u: compare the
   * 53 bits u is made of and skip the logarithm (same winner, ties to the lower index too).
   */
  private int uniformWinner(long keyHash) {
    int best = 0;
    long bestU = Hashing64.pair(keyHash, idHash[0]) >>> 11;
    for (int i = 1; i < byId.length; i++) {
      long u = Hashing64.pair(keyHash, idHash[i]) >>> 11;
      if (u > bestU) {
        best = i;
        bestU = u;
      }
    }
    return best;
  }

  private int weightedWinner(long keyHash) {
    int best = 0;
    double bestScore = score(keyHash, 0);
    for (int i = 1; i < byId.length; i++) {
      double s = score(keyHash, i);
      if (s > bestScore) {
        best = i;
        bestScore = s;
      }
    }
    return best;
  }

  @Override
  public List<Node> owners(long keyHash, int k) {
    Members.checkK(k);
    int want = Math.min(k, byId.length);
    double[] scores = new double[byId.length];
    for (int i = 0; i < byId.length; i++) {
      scores[i] = score(keyHash, i);
    }
    boolean[] taken = new boolean[byId.length];
    List<Node> out = new ArrayList<>(want);
    for (int r = 0; r < want; r++) {
      int best = -1;
      for (int i = 0; i < byId.length; i++) {
        if (!taken[i] && (best < 0 || scores[i] > scores[best])) {
          best = i;
        }
      }
      taken[best] = true;
      out.add(byId[best]);
    }
    return List.copyOf(out);
  }

  @Override
  public List<Node> nodes() {
    return nodes;
  }

  @Override
  public Guarantees guarantees() {
    return new Guarantees(
        "rendezvous",
        true,
        true,
        true,
        "share of node n = w_n/W exactly in expectation; max/mean = sampling noise only",
        "join: only keys the new node now wins (≈ w/W); leave: only the leaving node's keys,"
            + " each to its next-ranked node; top-k lists change only by the node in question",
        "O(N): one hash and one logarithm per node");
  }

  @Override
  public RendezvousPartitioner withNodes(List<Node> next) {
    return of(next);
  }

  @Override
  public String toString() {
    return "RendezvousPartitioner[nodes=" + nodes.size() + "]";
  }
}
