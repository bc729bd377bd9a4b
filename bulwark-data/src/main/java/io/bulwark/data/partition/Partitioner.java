package io.bulwark.data.partition;

import java.util.List;

/**
 * Maps a key to the node that owns it, and to the top-k distinct owners for replicas. A partitioner
 * is an immutable snapshot of one membership: a membership change yields a new partitioner, so a
 * rebalance plan can compare the two. Each algorithm documents its guarantees (balance, keys moved
 * on add/remove, lookup cost, weights, removal of an arbitrary node); see docs/data.md.
 */
public interface Partitioner {

  /** The owner of a key already hashed to 64 bits (see {@link #hash(String)}). */
  Node owner(long keyHash);

  /** The owner of {@code key}. */
  default Node owner(String key) {
    return owner(hash(key));
  }

  /**
   * The first {@code k} distinct owners of the key, the primary first; fewer when the cluster has
   * fewer than {@code k} nodes.
   *
   * @throws IllegalArgumentException when {@code k < 1}
   */
  List<Node> owners(long keyHash, int k);

  /** The members, in a stable order. */
  List<Node> nodes();

  /** The 64-bit key hash every partitioner uses for string keys. */
  static long hash(String key) {
    // placeholder until the partitioning engineer lands the chosen hash
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < key.length(); i++) {
      h ^= key.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
