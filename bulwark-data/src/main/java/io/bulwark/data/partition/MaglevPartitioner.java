package io.bulwark.data.partition;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maglev hashing (Eisenbud et al., NSDI 2016): each node has a permutation of the M slots of a
 * lookup table ({@code offset + j·skip mod M}, M prime, both from the node id's hash), the nodes
 * take turns claiming their next free preferred slot until the table is full, and a key belongs to
 * the node in slot {@code ⌊keyHash·M / 2^64⌋}. Weights: a node of weight w takes a turn in a round
 * with credit {@code w / w_max}, so its slot count is proportional to its weight.
 *
 * <p>Guarantees: slot counts differ by at most one per round (max/mean ≤ ⌈M/N⌉ / (M/N) for equal
 * weights, about 1 + N/M), so balance is near perfect when M ≫ N (use M ≥ 100·N); a membership
 * change moves the changed node's slots plus a small disruption of other slots (a few percent of
 * the table, shrinking as M/N grows). Nodes take turns in id order, so the table depends only on
 * the set of nodes. Lookup: one multiply-high and one array read. Replicas after the primary are
 * the next distinct owners in table order. Building costs O(M log M); immutable and thread-safe.
 */
public final class MaglevPartitioner implements Partitioner {
  /** The default table size, a prime. */
  public static final int DEFAULT_TABLE_SIZE = 65_537;

  private final List<Node> nodes;
  private final Node[] table;

  private MaglevPartitioner(List<Node> nodes, int m) {
    this.nodes = nodes;
    this.table = populate(nodes, m);
  }

  /**
   * Maglev over {@code nodes} with a table of {@code tableSize} slots.
   *
   * @throws IllegalArgumentException for an empty membership, a duplicate id, a table size that is
   *     not a prime or not larger than the number of nodes
   */
  public static MaglevPartitioner of(List<Node> nodes, int tableSize) {
    List<Node> checked = Members.checked("maglev", nodes);
    if (tableSize < 2 || !BigInteger.valueOf(tableSize).isProbablePrime(50)) {
      throw new IllegalArgumentException("maglev: tableSize must be a prime, was " + tableSize);
    }
    if (tableSize <= checked.size()) {
      throw new IllegalArgumentException(
          "maglev: tableSize must be larger than the number of nodes ("
              + checked.size()
              + "), was "
              + tableSize
              + "; use at least 100 × nodes for balance");
    }
    return new MaglevPartitioner(checked, tableSize);
  }

  private static Node[] populate(List<Node> members, int m) {
    Node[] order = members.toArray(new Node[0]);
    Arrays.sort(order, Comparator.comparing(Node::id));
    int n = order.length;
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    double[] credit = new double[n];
    double maxWeight = 0;
    for (Node node : order) {
      maxWeight = Math.max(maxWeight, node.weight());
    }
    for (int i = 0; i < n; i++) {
      long h = Hashing64.string(order[i].id());
      offset[i] = Long.remainderUnsigned(Hashing64.pair(h, 1), m);
      skip[i] = Long.remainderUnsigned(Hashing64.pair(h, 2), m - 1) + 1;
    }
    Node[] t = new Node[m];
    int filled = 0;
    while (true) {
      for (int i = 0; i < n; i++) {
        credit[i] += order[i].weight() / maxWeight;
        if (credit[i] < 1.0) {
          continue;
        }
        credit[i] -= 1.0;
        int slot;
        do {
          slot = (int) ((offset[i] + next[i] * skip[i]) % m);
          next[i]++;
        } while (t[slot] != null);
        t[slot] = order[i];
        if (++filled == m) {
          return t;
        }
      }
    }
  }

  /** The number of slots in the lookup table. */
  public int tableSize() {
    return table.length;
  }

  /** The fraction of table slots each node holds, in {@link #nodes()} order: its exact share. */
  public Map<Node, Double> shares() {
    Map<String, Integer> slots = new HashMap<>();
    for (Node n : table) {
      slots.merge(n.id(), 1, Integer::sum);
    }
    Map<Node, Double> out = new LinkedHashMap<>();
    for (Node n : nodes) {
      out.put(n, slots.getOrDefault(n.id(), 0) / (double) table.length);
    }
    return out;
  }

  @Override
  public Node owner(long keyHash) {
    return table[slot(keyHash)];
  }

  private int slot(long keyHash) {
    return (int) Math.unsignedMultiplyHigh(keyHash, table.length);
  }

  @Override
  public List<Node> owners(long keyHash, int k) {
    return Members.distinctOwners(table, slot(keyHash), k, nodes.size());
  }

  @Override
  public List<Node> nodes() {
    return nodes;
  }

  @Override
  public Guarantees guarantees() {
    return new Guarantees(
        "maglev",
        true,
        true,
        true,
        "max/mean ≤ ⌈M/N⌉/(M/N) ≈ 1 + N/M for equal weights; slots ∝ weight",
        "the changed node's slots plus a small disruption of other slots (falls as M/N grows)",
        "O(1): one multiply-high and one array read");
  }

  @Override
  public MaglevPartitioner withNodes(List<Node> next) {
    return of(next, table.length);
  }

  @Override
  public String toString() {
    return "MaglevPartitioner[nodes=" + nodes.size() + ", tableSize=" + table.length + "]";
  }
}
