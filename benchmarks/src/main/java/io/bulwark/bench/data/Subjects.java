package io.bulwark.bench.data;

import io.bulwark.data.partition.BoundedLoad;
import io.bulwark.data.partition.Node;
import io.bulwark.data.partition.Partitioner;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The partitioning algorithms the suite compares, Bulwark's and the anchors, each as a {@link
 * Placement} of one membership that can move to another, so that the balance and movement table
 * treats every side alike. Bulwark's partitioners move by {@link Partitioner#withNodes} (the jump
 * partitioner keeps its bucket table), the anchors are rebuilt as their users would rebuild them.
 */
final class Subjects {
  private Subjects() {}

  /** The capacity factor of the bounded-load rows. */
  static final double BOUNDED_LOAD_C = 1.25;

  /** A member for the table: an id and a relative weight (1.0 is an ordinary node). */
  record Member(String id, double weight) {}

  /** Where the keys of one membership live. */
  interface Placement {
    /** The owner's id of a key (the string and its {@link Partitioner#hash}). */
    String owner(String key, long keyHash);

    /** The placement after a membership change. */
    Placement with(List<Member> members);
  }

  /**
   * One algorithm: its name in the table, the side ({@code bulwark} or the anchor's name), how it
   * places a first membership, whether it honours weights, and how a node that is not the last one
   * leaves it.
   */
  record Subject(
      String algorithm,
      String side,
      Function<List<Member>, Placement> build,
      boolean weights,
      String removal) {}

  /** {@code node-0 .. node-(n-1)}. */
  static List<String> nodeIds(int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add("node-" + i);
    }
    return ids;
  }

  /** {@code node-0 .. node-(n-1)}, weight 1. */
  static List<Node> nodes(int n) {
    return nodeIds(n).stream().map(Node::of).toList();
  }

  static List<Member> members(int n) {
    return nodeIds(n).stream().map(id -> new Member(id, 1.0)).toList();
  }

  /** Every subject, Bulwark's first, then the anchors. */
  static List<Subject> all() {
    List<Subject> all = new ArrayList<>();
    all.add(bulwark("ring", Partitioner::ring));
    all.add(bulwark("jump", Partitioner::jump));
    all.add(bulwark("rendezvous", Partitioner::rendezvous));
    all.add(bulwark("maglev", Partitioner::maglev));
    all.add(
        new Subject(
            "boundedLoad",
            "bulwark",
            m -> new Bounded(BoundedLoad.over(Partitioner.ring(toNodes(m)), BOUNDED_LOAD_C)),
            true,
            "any node (keys re-assigned in order)"));
    all.add(
        new Subject(
            "jump",
            "guava",
            m -> new Guava(new GuavaJump(ids(m))),
            false,
            "last bucket only (middle: renumbered)"));
    all.add(
        new Subject(
            "ring", "blogpost", m -> new BlogRing(new BlogPostRing(ids(m))), false, "any node"));
    return all;
  }

  private static Subject bulwark(String name, Function<List<Node>, Partitioner> factory) {
    Partitioner probe = factory.apply(nodes(3));
    return new Subject(
        name,
        "bulwark",
        m -> new Partitioned(factory.apply(toNodes(m))),
        probe.guarantees().weighted(),
        probe.guarantees().arbitraryRemoval() ? "any node" : "not any node");
  }

  private static List<String> ids(List<Member> members) {
    return members.stream().map(Member::id).toList();
  }

  private static List<Node> toNodes(List<Member> members) {
    return members.stream().map(m -> new Node(m.id(), m.weight())).toList();
  }

  private record Partitioned(Partitioner p) implements Placement {
    @Override
    public String owner(String key, long keyHash) {
      return p.owner(keyHash).id();
    }

    @Override
    public Placement with(List<Member> members) {
      return new Partitioned(p.withNodes(toNodes(members)));
    }
  }

  /** Bounded load assigns keys one by one, in the table's key order, to a fresh tracker. */
  private record Bounded(BoundedLoad overlay, BoundedLoad.Tracker tracker) implements Placement {
    Bounded(BoundedLoad overlay) {
      this(overlay, overlay.tracker());
    }

    @Override
    public String owner(String key, long keyHash) {
      return tracker.assign(key).id();
    }

    @Override
    public Placement with(List<Member> members) {
      return new Bounded(
          BoundedLoad.over(overlay.base().withNodes(toNodes(members)), overlay.capacityFactor()));
    }
  }

  private record Guava(GuavaJump jump) implements Placement {
    @Override
    public String owner(String key, long keyHash) {
      return jump.owner(keyHash);
    }

    @Override
    public Placement with(List<Member> members) {
      return new Guava(new GuavaJump(ids(members)));
    }
  }

  private record BlogRing(BlogPostRing ring) implements Placement {
    @Override
    public String owner(String key, long keyHash) {
      return ring.owner(keyHash);
    }

    @Override
    public Placement with(List<Member> members) {
      return new BlogRing(new BlogPostRing(ids(members)));
    }
  }
}
