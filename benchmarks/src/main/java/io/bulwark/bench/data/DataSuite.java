package io.bulwark.bench.data;

import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import io.bulwark.bench.Stats;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code bulwark bench data}: owner lookup per partitioning algorithm (10 and 100 nodes) beside
 * Guava's {@code Hashing.consistentHash} and a plain TreeMap ring; a cache hit (1 and 2 threads) of
 * Bulwark's cache beside raw Caffeine; and a table of balance, movement on add and remove and
 * weights per algorithm, computed by the suite.
 *
 * <p>The machine is shared and its load drifts, so the JMH rows are measured in alternating rounds:
 * each round runs every side of every row back to back (one fork each, the order of the rows
 * rotating and the order of the sides alternating between rounds), and a ratio is the median of its
 * per-round ratios. The whole run holds the machine-wide JMH lock. Targets: cache hit ≤ 1.10 ×
 * Caffeine's time, jump lookup ≤ 1.10 × Guava's. The headline {@code ratio} is the cache-hit
 * overhead (the worse of 1 and 2 threads).
 *
 * <p>Arguments: {@code --quick} (1 round, short iterations, 200,000 keys in the table), {@code
 * rounds=N} (default 5), {@code keys=N} (default 1,000,000), {@code table-nodes=10,100,1000} (the
 * node counts of the balance and movement table, default 10 and 100; rendezvous is O(N) per key, so
 * 1,000 nodes adds minutes).
 */
public final class DataSuite implements BenchSuite {
  /** A lookup benchmark method: {@code <algorithm>_<side>}. */
  record Lookup(String algorithm, String side) {
    String method() {
      return algorithm + "_" + side;
    }
  }

  static final List<Lookup> LOOKUPS =
      List.of(
          new Lookup("jump", "bulwark"),
          new Lookup("jump", "guava"),
          new Lookup("ring", "bulwark"),
          new Lookup("ring", "blogpost"),
          new Lookup("rendezvous", "bulwark"),
          new Lookup("maglev", "bulwark"),
          new Lookup("boundedLoad", "bulwark"));
  private static final List<String> CACHE_SIDES =
      List.of("bulwark", "caffeine", "caffeineSizeOnly");
  private static final List<Class<?>> CACHE_THREADS =
      List.of(CacheHitOneThreadBenchmark.class, CacheHitTwoThreadBenchmark.class);

  @Override
  public String name() {
    return "data";
  }

  @Override
  public String description() {
    return "partitioner lookup (ring, jump, rendezvous, Maglev, bounded load) vs Guava"
        + " consistentHash and a TreeMap ring; cache hit vs raw Caffeine, 1 and 2 threads;"
        + " balance and movement table";
  }

  @Override
  public BenchResult run(List<String> args, PrintStream out) throws Exception {
    boolean quick = args.contains("--quick");
    int rounds = quick ? 1 : 5;
    int keys = quick ? 200_000 : 1_000_000;
    int[] tableNodes = {10, 100};
    for (String arg : args) {
      if (arg.startsWith("rounds=")) {
        rounds = positive(arg, "rounds=");
      } else if (arg.startsWith("keys=")) {
        keys = positive(arg, "keys=");
      } else if (arg.startsWith("table-nodes=")) {
        tableNodes = nodeCounts(arg);
      } else if (!arg.equals("--quick")) {
        throw new IllegalArgumentException(
            "bench data: unknown argument \""
                + arg
                + "\" (known: --quick, rounds=N, keys=N, table-nodes=N,N...)");
      }
    }
    Rounds table = new Rounds();
    try (JmhLock lock = JmhLock.acquire(out)) {
      for (int round = 0; round < rounds; round++) {
        out.printf("round %d of %d%n", round + 1, rounds);
        for (Lookup l : lookupOrder(round)) {
          measureLookup(l, quick, table);
        }
        for (Class<?> benchmark : CACHE_THREADS) {
          for (int s = 0; s < CACHE_SIDES.size(); s++) {
            measureCache(
                benchmark, CACHE_SIDES.get((s + round) % CACHE_SIDES.size()), quick, table);
          }
        }
      }
    }
    out.printf("balance and movement table: %,d keys%n", keys);
    List<PartitionTable.Row> partition = PartitionTable.compute(Subjects.all(), tableNodes, keys);

    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("rounds", (double) rounds);
    out.println();
    double jumpVsGuava = printLookups(out, table, metrics);
    out.println();
    printPartition(out, partition, table);
    out.println();
    double overhead = printCache(out, table, metrics);
    metrics.put("cache_hit_overhead", overhead);
    metrics.put("jump_vs_guava", jumpVsGuava);
    return new BenchResult(name(), metrics, overhead);
  }

  /**
   * The lookups of one round: the algorithms in an order rotating by round, each algorithm's sides
   * back to back (so a Bulwark row and its anchor are always measured one after the other), the
   * sides' order alternating between rounds.
   */
  static List<Lookup> lookupOrder(int round) {
    Map<String, List<Lookup>> byAlgorithm = new LinkedHashMap<>();
    for (Lookup l : LOOKUPS) {
      byAlgorithm.computeIfAbsent(l.algorithm(), k -> new ArrayList<>()).add(l);
    }
    List<List<Lookup>> groups = new ArrayList<>(byAlgorithm.values());
    List<Lookup> order = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      List<Lookup> sides = new ArrayList<>(groups.get((g + round) % groups.size()));
      if (round % 2 == 1) {
        Collections.reverse(sides);
      }
      order.addAll(sides);
    }
    return order;
  }

  private static int positive(String arg, String prefix) {
    String value = arg.substring(prefix.length());
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "bench data: " + prefix + " takes a whole number > 0, was \"" + value + "\"");
  }

  private static int[] nodeCounts(String arg) {
    String[] parts = arg.substring("table-nodes=".length()).split(",");
    int[] counts = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      counts[i] = positive("table-nodes=" + parts[i], "table-nodes=");
      if (counts[i] < 2) {
        throw new IllegalArgumentException(
            "bench data: table-nodes needs counts >= 2 (a node leaves), was " + counts[i]);
      }
    }
    return counts;
  }

  private static void measureLookup(Lookup l, boolean quick, Rounds table) throws Exception {
    for (RunResult r : run(LookupBenchmark.class, l.method(), quick)) {
      String row = l.algorithm() + " n=" + r.getParams().getParam("nodes");
      table.add(row, l.side(), cell(r));
    }
  }

  private static void measureCache(Class<?> benchmark, String side, boolean quick, Rounds table)
      throws Exception {
    for (RunResult r : run(benchmark, "getHit_" + side, quick)) {
      table.add("get-hit t=" + r.getParams().getThreads(), side, cell(r));
    }
  }

  private static Iterable<RunResult> run(Class<?> benchmark, String method, boolean quick)
      throws Exception {
    Options options =
        new OptionsBuilder()
            .include("^" + Pattern.quote(benchmark.getName() + "." + method) + "$")
            .forks(1)
            .warmupIterations(quick ? 2 : 3)
            .warmupTime(TimeValue.milliseconds(quick ? 300 : 600))
            .measurementIterations(quick ? 3 : 4)
            .measurementTime(TimeValue.milliseconds(quick ? 300 : 600))
            .addProfiler(GCProfiler.class)
            .build();
    return new Runner(options).run();
  }

  private static Rounds.Cell cell(RunResult r) {
    var alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
    return new Rounds.Cell(
        r.getPrimaryResult().getScore(), alloc == null ? Double.NaN : alloc.getScore());
  }

  /** Prints the lookup rows; returns the worse jump/Guava median ratio (NaN if not measured). */
  private static double printLookups(PrintStream out, Rounds table, Map<String, Double> metrics) {
    out.println("== Owner lookup, ns/op (medians over rounds; target: jump ≤ 1.10 × Guava) ==");
    out.printf(
        Locale.ROOT,
        "%-22s %-10s %10s %8s %10s %-10s %8s %15s%n",
        "row",
        "side",
        "ns/op",
        "B/op",
        "anchor",
        "",
        "ratio",
        "ratio range");
    double jumpVsGuava = Double.NaN;
    for (Lookup l : LOOKUPS) {
      if (!l.side().equals("bulwark")) {
        continue; // the anchors are the anchor column
      }
      for (String n : List.of("10", "100")) {
        String row = l.algorithm() + " n=" + n;
        double ns = table.medianNs(row, l.side());
        String anchor = anchorOf(l);
        if (anchor == null) {
          out.printf(
              Locale.ROOT,
              "%-22s %-10s %10.1f %8.1f%n",
              row,
              l.side(),
              ns,
              table.medianBytes(row, l.side()));
          continue;
        }
        double[] ratios = table.ratios(row, l.side(), anchor);
        double ratio = Stats.median(ratios);
        out.printf(
            Locale.ROOT,
            "%-22s %-10s %10.1f %8.1f %10.1f %-10s %8.3f %7.3f-%-7.3f%n",
            row,
            l.side(),
            ns,
            table.medianBytes(row, l.side()),
            table.medianNs(row, anchor),
            anchor,
            ratio,
            Rounds.min(ratios),
            Rounds.max(ratios));
        if (l.algorithm().equals("jump")) {
          metrics.put("jump_ns_n" + n, ns);
          metrics.put("guava_ns_n" + n, table.medianNs(row, anchor));
          jumpVsGuava = Double.isNaN(jumpVsGuava) ? ratio : Math.max(jumpVsGuava, ratio);
        }
      }
    }
    return jumpVsGuava;
  }

  /** The anchor a Bulwark row is compared with, or null for the anchors and unanchored rows. */
  private static String anchorOf(Lookup l) {
    if (!l.side().equals("bulwark")) {
      return null;
    }
    return switch (l.algorithm()) {
      case "jump" -> "guava";
      case "ring" -> "blogpost";
      default -> null;
    };
  }

  private static void printPartition(PrintStream out, List<PartitionTable.Row> rows, Rounds table) {
    out.println(
        "== Balance and movement (computed by the suite; ideal moves: 1/(n+1) on add, 1/n on remove) ==");
    out.printf(
        Locale.ROOT,
        "%-12s %-9s %5s %8s %8s %8s %8s %8s %8s %8s  %s%n",
        "algorithm",
        "side",
        "n",
        "max/mean",
        "add",
        "ideal",
        "remove",
        "ideal",
        "w=2",
        "ns/op",
        "removal");
    for (PartitionTable.Row r : rows) {
      double ns = table.medianNs(r.algorithm() + " n=" + r.nodes(), r.side());
      out.printf(
          Locale.ROOT,
          "%-12s %-9s %5d %8.3f %8.4f %8.4f %8.4f %8.4f %8s %8s  %s%n",
          r.algorithm(),
          r.side(),
          r.nodes(),
          r.balance(),
          r.movedOnAdd(),
          r.idealAdd(),
          r.movedOnRemove(),
          r.idealRemove(),
          Double.isNaN(r.weightedShare())
              ? "-"
              : String.format(Locale.ROOT, "%.3f", r.weightedShare()),
          Double.isNaN(ns) ? "-" : String.format(Locale.ROOT, "%.1f", ns),
          r.removal());
    }
    out.println("w=2: node-0 at weight 2, its share over the ideal 2/(n+1); '-' = no weights");
  }

  /** Prints the cache rows; returns the worse bulwark/caffeine median ratio. */
  private static double printCache(PrintStream out, Rounds table, Map<String, Double> metrics) {
    out.println(
        "== Cache get, hit (medians over rounds; target: bulwark ≤ 1.10 × caffeine, same size"
            + " and TTL) ==");
    out.printf(
        Locale.ROOT,
        "%-12s %14s %6s %14s %6s %8s %15s %14s %8s%n",
        "row",
        "bulwark ns/op",
        "B/op",
        "caffeine ns/op",
        "B/op",
        "ratio",
        "ratio range",
        "size-only ns/op",
        "ratio");
    double worst = Double.NaN;
    for (String t : List.of("1", "2")) {
      String row = "get-hit t=" + t;
      double[] ratios = table.ratios(row, "bulwark", "caffeine");
      double ratio = Stats.median(ratios);
      out.printf(
          Locale.ROOT,
          "%-12s %14.1f %6.1f %14.1f %6.1f %8.3f %7.3f-%-7.3f %14.1f %8.3f%n",
          row,
          table.medianNs(row, "bulwark"),
          table.medianBytes(row, "bulwark"),
          table.medianNs(row, "caffeine"),
          table.medianBytes(row, "caffeine"),
          ratio,
          Rounds.min(ratios),
          Rounds.max(ratios),
          table.medianNs(row, "caffeineSizeOnly"),
          Stats.median(table.ratios(row, "bulwark", "caffeineSizeOnly")));
      metrics.put("cache_hit_overhead_t" + t, ratio);
      metrics.put(
          "cache_hit_vs_size_only_t" + t,
          Stats.median(table.ratios(row, "bulwark", "caffeineSizeOnly")));
      metrics.put("bulwark_hit_bytes_t" + t, table.medianBytes(row, "bulwark"));
      worst = Double.isNaN(worst) ? ratio : Math.max(worst, ratio);
    }
    out.println("size-only: Caffeine with the same maximum size and no expiry, for reference");
    return worst;
  }
}
