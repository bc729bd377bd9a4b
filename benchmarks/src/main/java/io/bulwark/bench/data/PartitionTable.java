package io.bulwark.bench.data;

import io.bulwark.bench.data.Subjects.Member;
import io.bulwark.bench.data.Subjects.Placement;
import io.bulwark.bench.data.Subjects.Subject;
import io.bulwark.data.partition.Partitioner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Balance and movement of each algorithm, computed by the suite itself over {@code keys} string
 * keys {@code key-0, key-1, ...} hashed by {@link Partitioner#hash} (the same keys, in the same
 * order, for every algorithm):
 *
 * <ul>
 *   <li>balance: the most loaded node's keys over the mean ({@code keys / n}); 1.0 is perfect;
 *   <li>moved on add: the fraction of keys whose owner changes when {@code node-n} joins, beside
 *       the ideal {@code 1/(n+1)} (only the newcomer's share moves);
 *   <li>moved on remove: the fraction whose owner changes when {@code node-(n/2)}, a node in the
 *       middle, leaves, beside the ideal {@code 1/n} (only the leaver's keys move);
 *   <li>weight: with {@code node-0} at weight 2, its share over the ideal {@code 2/(n+1)}; only for
 *       algorithms that take weights.
 * </ul>
 */
final class PartitionTable {
  /** One line of the table. */
  record Row(
      String algorithm,
      String side,
      int nodes,
      double balance,
      double movedOnAdd,
      double movedOnRemove,
      double weightedShare,
      String removal) {

    double idealAdd() {
      return 1.0 / (nodes + 1);
    }

    double idealRemove() {
      return 1.0 / nodes;
    }
  }

  private PartitionTable() {}

  static List<Row> compute(List<Subject> subjects, int[] nodeCounts, int keys) {
    String[] names = new String[keys];
    long[] hashes = new long[keys];
    for (int i = 0; i < keys; i++) {
      names[i] = "key-" + i;
      hashes[i] = Partitioner.hash(names[i]);
    }
    List<Row> rows = new ArrayList<>();
    for (Subject s : subjects) {
      for (int n : nodeCounts) {
        rows.add(row(s, n, names, hashes));
      }
    }
    return rows;
  }

  private static Row row(Subject s, int n, String[] names, long[] hashes) {
    List<Member> base = Subjects.members(n);
    Placement first = s.build().apply(base);
    String[] before = owners(first, names, hashes);
    double balance = balance(before, n);

    List<Member> added = new ArrayList<>(base);
    added.add(new Member("node-" + n, 1.0));
    double movedOnAdd = moved(before, owners(first.with(added), names, hashes));

    List<Member> removed = new ArrayList<>(base);
    removed.remove(n / 2);
    double movedOnRemove = moved(before, owners(first.with(removed), names, hashes));

    double weightedShare = Double.NaN;
    if (s.weights()) {
      List<Member> weighted = new ArrayList<>(base);
      weighted.set(0, new Member("node-0", 2.0));
      String[] w = owners(first.with(weighted), names, hashes);
      long heavy = 0;
      for (String owner : w) {
        if (owner.equals("node-0")) {
          heavy++;
        }
      }
      weightedShare = ((double) heavy / hashes.length) / (2.0 / (n + 1));
    }
    return new Row(
        s.algorithm(), s.side(), n, balance, movedOnAdd, movedOnRemove, weightedShare, s.removal());
  }

  private static String[] owners(Placement placement, String[] names, long[] hashes) {
    String[] result = new String[hashes.length];
    for (int i = 0; i < hashes.length; i++) {
      result[i] = placement.owner(names[i], hashes[i]);
    }
    return result;
  }

  private static double balance(String[] owners, int n) {
    Map<String, Integer> load = new HashMap<>();
    for (String owner : owners) {
      load.merge(owner, 1, Integer::sum);
    }
    int max = load.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    return max / ((double) owners.length / n);
  }

  private static double moved(String[] before, String[] after) {
    long moved = 0;
    for (int i = 0; i < before.length; i++) {
      if (!before[i].equals(after[i])) {
        moved++;
      }
    }
    return (double) moved / before.length;
  }
}
