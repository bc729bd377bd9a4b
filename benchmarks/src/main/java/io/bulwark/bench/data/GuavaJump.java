package io.bulwark.bench.data;

import com.google.common.hash.Hashing;
import java.util.List;

/**
 * The anchor for jump hash: Guava's {@code Hashing.consistentHash(long, int)} as a team uses it,
 * the bucket indexing the list of nodes. Adding a node appends a bucket; removing one other than
 * the last is not possible without renumbering, which the suite measures as the anchor's removal.
 */
final class GuavaJump {
  private final String[] nodes;

  GuavaJump(List<String> nodes) {
    this.nodes = nodes.toArray(String[]::new);
  }

  String owner(long keyHash) {
    return nodes[Hashing.consistentHash(keyHash, nodes.length)];
  }
}
