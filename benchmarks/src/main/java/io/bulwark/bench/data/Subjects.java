package io.bulwark.bench.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The partitioning algorithms the suite compares, Bulwark's and the anchors, each as a function
 * from a membership to an owner lookup, so that the balance and movement table treats every side
 * alike.
 */
final class Subjects {
  private Subjects() {}

  /** A member for the table: an id and a relative weight (1.0 is an ordinary node). */
  record Member(String id, double weight) {}

  /** An owner lookup of one membership. */
  @FunctionalInterface
  interface Owners {
    String owner(long keyHash);
  }

  /** Builds the lookup of a membership. */
  @FunctionalInterface
  interface Build {
    Owners of(List<Member> members);
  }

  /**
   * One algorithm: its name in the table, the side ({@code bulwark} or the anchor's name), how it
   * is built, whether it honours weights, and how a node that is not the last one leaves it.
   */
  record Subject(String algorithm, String side, Build build, boolean weights, String removal) {}

  /** {@code node-0 .. node-(n-1)}, weight 1. */
  static List<String> nodeIds(int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add("node-" + i);
    }
    return ids;
  }

  static List<Member> members(int n) {
    return nodeIds(n).stream().map(id -> new Member(id, 1.0)).toList();
  }

  static List<String> ids(List<Member> members) {
    return members.stream().map(Member::id).toList();
  }

  /** Every subject, Bulwark's first, the anchors after. */
  static List<Subject> all() {
    List<Subject> all = new ArrayList<>();
    all.add(
        new Subject(
            "jump",
            "guava",
            m -> new GuavaJump(ids(m))::owner,
            false,
            "last bucket only; any other renumbers the buckets"));
    all.add(
        new Subject(
            "ring",
            "blogpost",
            m -> new BlogPostRing(ids(m))::owner,
            false,
            "any node (its virtual nodes leave the map)"));
    return all;
  }
}
