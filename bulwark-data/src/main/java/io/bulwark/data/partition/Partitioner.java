package io.bulwark.data.partition;

import java.util.List;

/**
 * Maps a key to the node that owns it, and to the top-k distinct owners for replicas. A partitioner
 * is an immutable snapshot of one membership: a membership change yields a new partitioner ({@link
 * #withNodes}), so a {@link RebalancePlanner} can compare the two. Each algorithm states its
 * guarantees (balance, keys moved on add/remove, lookup cost, weights, removal of an arbitrary
 * node) as data in {@link #guarantees()}; docs/data.md has the table.
 *
 * <p>Implementations are immutable and thread-safe; lookups allocate nothing except the list {@link
 * #owners} returns. Every key is hashed by {@link #hash(String)}, which is frozen.
 */
public interface Partitioner {

  /** The owner of a key already hashed to 64 bits (see {@link #hash(String)}). */
  Node owner(long keyHash);

  /** The owner of {@code key}. */
  default Node owner(String key) {
    return owner(hash(key));
  }

  /**
   * The first {@code k} distinct owners of the key, the primary ({@link #owner(long)}) first; all
   * nodes when the cluster has fewer than {@code k}.
   *
   * @throws IllegalArgumentException when {@code k < 1}
   */
  List<Node> owners(long keyHash, int k);

  /** {@link #owners(long, int)} of {@code hash(key)}. */
  default List<Node> owners(String key, int k) {
    return owners(hash(key), k);
  }

  /** The members, in a stable order (the order given, except where the algorithm says). */
  List<Node> nodes();

  /** What this algorithm promises: balance, movement, lookup cost, weights, removal. */
  Guarantees guarantees();

  /**
   * The same algorithm and settings over another membership: the snapshot after a node joins,
   * leaves or changes weight. Implementations carry over what keeps movement minimal (the jump
   * partitioner's bucket table, for one).
   *
   * @throws IllegalArgumentException for an empty membership, a duplicate id, or a change the
   *     algorithm cannot make (see {@link Guarantees#arbitraryRemoval()})
   */
  Partitioner withNodes(List<Node> nodes);

  /**
   * The 64-bit hash of a string key every partitioner uses: the UTF-16 code units read four per
   * 64-bit word, folded with multiply-rotate, the length folded in, then the SplitMix64 finalizer.
   * Stable across JVMs, platforms and releases (it decides data placement); fast (about one
   * multiply per four chars plus a constant); no allocation.
   */
  static long hash(String key) {
    return Hashing64.string(java.util.Objects.requireNonNull(key, "key must not be null"));
  }

  /** A ring with {@value RingPartitioner#DEFAULT_VNODES} virtual nodes per unit of weight. */
  static Partitioner ring(List<Node> nodes) {
    return RingPartitioner.of(nodes, RingPartitioner.DEFAULT_VNODES);
  }

  /** Jump consistent hash behind a bucket table that allows removing any node. */
  static Partitioner jump(List<Node> nodes) {
    return JumpPartitioner.of(nodes);
  }

  /** Weighted rendezvous (highest random weight) hashing, logarithmic method. */
  static Partitioner rendezvous(List<Node> nodes) {
    return RendezvousPartitioner.of(nodes);
  }

  /** Maglev with a lookup table of {@value MaglevPartitioner#DEFAULT_TABLE_SIZE} slots. */
  static Partitioner maglev(List<Node> nodes) {
    return MaglevPartitioner.of(nodes, MaglevPartitioner.DEFAULT_TABLE_SIZE);
  }
}
