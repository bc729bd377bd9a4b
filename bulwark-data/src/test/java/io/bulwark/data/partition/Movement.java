package io.bulwark.data.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** Exact movement checks shared by the algorithms that promise minimal movement. */
final class Movement {
  private Movement() {}

  /**
   * After {@code joiner} joins: every key whose owner changed now belongs to the joiner. Returns
   * how many keys moved.
   */
  static int onlyToJoiner(Partitioner before, Partitioner after, Node joiner, long[] keys) {
    int moved = 0;
    for (long k : keys) {
      Node was = before.owner(k);
      Node now = after.owner(k);
      if (!was.id().equals(now.id())) {
        moved++;
        assertThat(now.id()).as("key %x moved from %s", k, was.id()).isEqualTo(joiner.id());
      }
    }
    return moved;
  }

  /**
   * After {@code leaver} leaves: a key changed owner if and only if the leaver owned it. Returns
   * how many keys moved.
   */
  static int onlyLeaversKeys(Partitioner before, Partitioner after, Node leaver, long[] keys) {
    int moved = 0;
    for (long k : keys) {
      Node was = before.owner(k);
      Node now = after.owner(k);
      boolean leaverOwned = was.id().equals(leaver.id());
      assertThat(!was.id().equals(now.id()))
          .as("key %x owned by %s, now %s, after %s left", k, was.id(), now.id(), leaver.id())
          .isEqualTo(leaverOwned);
      if (leaverOwned) {
        moved++;
      }
    }
    return moved;
  }

  static List<String> ids(List<Node> nodes) {
    return nodes.stream().map(Node::id).toList();
  }
}
