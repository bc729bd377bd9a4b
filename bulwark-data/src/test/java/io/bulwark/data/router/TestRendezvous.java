package io.bulwark.data.router;

import io.bulwark.data.partition.Node;
import io.bulwark.data.partition.Partitioner;
import java.util.Comparator;
import java.util.List;

/**
 * A small rendezvous partitioner for the router's tests, independent of the production algorithms:
 * the owners of a key are the nodes sorted by a mixed hash of (key hash, node id), highest first.
 */
record TestRendezvous(List<Node> nodes) implements Partitioner {
  TestRendezvous {
    nodes = List.copyOf(nodes);
  }

  @Override
  public Node owner(long keyHash) {
    return owners(keyHash, 1).getFirst();
  }

  @Override
  public List<Node> owners(long keyHash, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, was " + k);
    }
    return nodes.stream()
        .sorted(Comparator.comparingLong((Node n) -> score(keyHash, n)).reversed())
        .limit(k)
        .toList();
  }

  private static long score(long keyHash, Node n) {
    long x = keyHash ^ (n.id().hashCode() * 0x9E3779B97F4A7C15L);
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb9fe1a85ec53L;
    return x ^ (x >>> 33);
  }
}
