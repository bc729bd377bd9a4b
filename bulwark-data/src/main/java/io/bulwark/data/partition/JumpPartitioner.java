package io.bulwark.data.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Jump consistent hash (Lamping and Veach) over a bucket table that makes arbitrary removal
 * possible. Plain jump hash maps a key to a bucket in {@code [0, n)} and can only grow or shrink at
 * the end. Here bucket {@code b} maps to {@code table[b]}, a node or a <em>tombstone</em>:
 *
 * <ul>
 *   <li>a leaving node's bucket becomes a tombstone; a key whose bucket is a tombstone is hashed
 *       again ({@code pair(keyHash, attempt)}) and jumped again until it lands on a live bucket, so
 *       the leaving node's keys spread evenly over the others and <b>no other key moves</b>
 *       (movement = the ideal 1/N);
 *   <li>a joining node takes the lowest tombstone if there is one, else a new bucket at the end;
 *       either way keys move only <em>to</em> it, about 1/(N+1) of them (ideal);
 *   <li>lookup: one jump, {@code O(ln n)} multiply-divide steps and no allocation, plus one array
 *       read; with a fraction f of tombstones, {@code 1/(1−f)} jumps expected. Joins refill
 *       tombstones, so f stays at the number of net removals over n. {@link #of} builds a fresh
 *       table without tombstones (at the cost of reshuffling, so do it only for a new cluster).
 * </ul>
 *
 * <p>Balance: every live bucket gets the same expected share; max/mean ≈ 1 + O(√(N ln N / K)) for K
 * keys (sampling noise only). Weights are not supported: a node of weight other than 1 is rejected.
 * The table depends on the order nodes were listed and joined, not on the set alone. Immutable and
 * thread-safe.
 */
public final class JumpPartitioner implements Partitioner {
  private static final int MAX_REHASH = 64;

  private final @Nullable Node[] table;
  private final Node[] live;
  private final List<Node> nodes;

  private JumpPartitioner(@Nullable Node[] table) {
    this.table = table;
    List<Node> l = new ArrayList<>();
    for (Node n : table) {
      if (n != null) {
        l.add(n);
      }
    }
    this.nodes = List.copyOf(l);
    this.live = l.toArray(new Node[0]);
  }

  /**
   * A table of {@code nodes.size()} buckets, bucket i owned by {@code nodes.get(i)}.
   *
   * @throws IllegalArgumentException for an empty membership, a duplicate id or a weight other than
   *     1
   */
  public static JumpPartitioner of(List<Node> nodes) {
    List<Node> checked = checked(nodes);
    return new JumpPartitioner(checked.toArray(new Node[0]));
  }

  private static List<Node> checked(List<Node> nodes) {
    List<Node> checked = Members.checked("jump", nodes);
    for (Node n : checked) {
      if (n.weight() != 1.0) {
        throw new IllegalArgumentException(
            "jump: weights are not supported, node "
                + n.id()
                + " has weight "
                + n.weight()
                + " (use ring, rendezvous or maglev for weighted nodes)");
      }
    }
    return checked;
  }

  /**
   * Lamping and Veach's jump consistent hash: the bucket in {@code [0, buckets)} of {@code key}.
   * Exposed for benchmarks; {@code buckets} must be positive.
   */
  public static int jump(long key, int buckets) {
    long b = -1;
    long j = 0;
    while (j < buckets) {
      b = j;
      key = key * 2862933555777941757L + 1;
      j = (long) ((b + 1) * (0x1.0p31 / (double) ((key >>> 33) + 1)));
    }
    return (int) b;
  }

  @Override
  public Node owner(long keyHash) {
    Node n = table[jump(keyHash, table.length)];
    return n != null ? n : ownerPastTombstone(keyHash);
  }

  private Node ownerPastTombstone(long keyHash) {
    for (int attempt = 1; attempt <= MAX_REHASH; attempt++) {
      Node n = table[jump(Hashing64.pair(keyHash, attempt), table.length)];
      if (n != null) {
        return n;
      }
    }
    // Reached with probability f^64 (f = tombstone fraction); still deterministic and even.
    return live[(int) Math.floorMod(Hashing64.mix(keyHash), (long) live.length)];
  }

  /**
   * The primary, then replicas drawn the same way as a tombstoned key (re-hash and jump), skipping
   * nodes already picked; if that does not fill {@code k} quickly, the rest in table order.
   */
  @Override
  public List<Node> owners(long keyHash, int k) {
    Members.checkK(k);
    int want = Math.min(k, live.length);
    List<Node> out = new ArrayList<>(want);
    out.add(owner(keyHash));
    // the attempt budget does not depend on k, so owners(h, k) is a prefix of owners(h, k + 1)
    for (int attempt = 1; out.size() < want && attempt <= 4 * live.length + MAX_REHASH; attempt++) {
      Node n = table[jump(Hashing64.pair(keyHash, -attempt), table.length)];
      if (n != null && !out.contains(n)) {
        out.add(n);
      }
    }
    for (int i = 0; out.size() < want && i < live.length; i++) {
      if (!out.contains(live[i])) {
        out.add(live[i]);
      }
    }
    return List.copyOf(out);
  }

  @Override
  public List<Node> nodes() {
    return nodes;
  }

  /** The number of buckets, live and tombstoned. */
  public int bucketCount() {
    return table.length;
  }

  /** The number of tombstoned buckets. */
  public int tombstoneCount() {
    return table.length - live.length;
  }

  @Override
  public Guarantees guarantees() {
    return new Guarantees(
        "jump",
        false,
        true,
        false,
        "every bucket equal in expectation; max/mean = sampling noise only",
        "join: ≈1/(N+1) of keys, all to the new node; leave: only the leaving node's keys"
            + " (its bucket becomes a tombstone, its keys re-hash to the others)",
        "O(ln n) jump steps, no allocation; × 1/(1−f) with a tombstone fraction f");
  }

  /**
   * The table after a membership change: surviving nodes keep their buckets, leaving nodes' buckets
   * become tombstones, joining nodes fill tombstones (lowest first) then new buckets, in the order
   * listed.
   */
  @Override
  public JumpPartitioner withNodes(List<Node> next) {
    List<Node> checked = checked(next);
    Map<String, Node> wanted = new HashMap<>();
    for (Node n : checked) {
      wanted.put(n.id(), n);
    }
    @Nullable Node[] t = Arrays.copyOf(table, table.length);
    for (int b = 0; b < t.length; b++) {
      Node n = t[b];
      if (n != null && wanted.remove(n.id()) == null) {
        t[b] = null;
      }
    }
    List<Node> joining = new ArrayList<>();
    for (Node n : checked) {
      if (wanted.containsKey(n.id())) {
        joining.add(n);
      }
    }
    int b = 0;
    int extra = 0;
    for (Node n : joining) {
      while (b < t.length && t[b] != null) {
        b++;
      }
      if (b < t.length) {
        t[b] = n;
      } else {
        extra++;
      }
    }
    if (extra > 0) {
      int start = t.length;
      t = Arrays.copyOf(t, t.length + extra);
      for (int i = 0; i < extra; i++) {
        t[start + i] = joining.get(joining.size() - extra + i);
      }
    }
    return new JumpPartitioner(t);
  }

  @Override
  public String toString() {
    return "JumpPartitioner[nodes=" + live.length + ", buckets=" + table.length + "]";
  }
}
