package io.bulwark.bench.saga;

import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import io.bulwark.saga.SagaStores;
import io.bulwark.test.postgres.PostgresTestServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * {@code bulwark bench saga}: completed 3-step sagas per second and per-step p50/p99, on SQLite and
 * on PostgreSQL, at fixed concurrencies (closed loop: each starter runs one saga to completion,
 * then the next), side by side in one run with
 *
 * <ul>
 *   <li>the database's own limit for the same work ({@link LimitDriver}: four durable single-row
 *       commits per saga, one for the start and one per step, at the same concurrency, on the same
 *       database settings), and
 *   <li>DBOS Transact Java ({@link DbosDriver}) running the same workflow on the same PostgreSQL
 *       server (a database of its own).
 * </ul>
 *
 * <p>PostgreSQL is a real server started for the run from the binaries bulwark-test's {@link
 * PostgresTestServer} unpacks (default settings: {@code fsync=on}, {@code synchronous_commit=on});
 * every side gets a fresh database (or SQLite file) per concurrency. After each side the work is
 * counted back from its database. Headline ratios take the lowest over the concurrencies run.
 *
 * <p>Arguments: {@code --quick} (1 s warm-up, 3 s window per side), {@code --concurrency=16,64},
 * {@code --seconds=N} (window), {@code --warmup=N}, {@code --only=sqlite|postgres}.
 */
public final class SagaSuite implements BenchSuite {

  @Override
  public String name() {
    return "saga";
  }

  @Override
  public String description() {
    return "bulwark-saga 3-step sagas/s and step p99 vs the database's commit limit (SQLite,"
        + " PostgreSQL) and vs DBOS Transact";
  }

  @Override
  public BenchResult run(List<String> args, PrintStream out) throws Exception {
    boolean quick = args.contains("--quick");
    int[] concurrencies =
        Arrays.stream(option(args, "--concurrency", "16,64").split(","))
            .mapToInt(s -> positive("--concurrency", s))
            .toArray();
    Duration window =
        Duration.ofSeconds(positive("--seconds", option(args, "--seconds", quick ? "3" : "10")));
    Duration warmup =
        Duration.ofSeconds(positive("--warmup", option(args, "--warmup", quick ? "1" : "3")));
    String only = option(args, "--only", "");
    if (!only.isEmpty() && !only.equals("sqlite") && !only.equals("postgres")) {
      throw new IllegalArgumentException(
          "--only must be sqlite or postgres, got '" + only + "' (from the command line)");
    }
    boolean runSqlite = !only.equals("postgres");
    boolean runPostgres = !only.equals("sqlite");

    Path base = Files.createTempDirectory("bulwark-bench-saga");
    String load = loadAverage();
    out.printf(
        Locale.ROOT,
        "saga bench: 3 durable steps per saga, closed loop, concurrency %s, warm-up %d s, window"
            + " %d s per side; %d cores; load average %s%n",
        Arrays.toString(concurrencies),
        warmup.toSeconds(),
        window.toSeconds(),
        Runtime.getRuntime().availableProcessors(),
        load);
    out.println(
        "SQLite: WAL, synchronous=FULL (store and limit loop); PostgreSQL: fsync=on,"
            + " synchronous_commit=on (server defaults), one pool of <concurrency> connections per"
            + " side");
    Map<String, Double> metrics = new LinkedHashMap<>();
    List<Row> rows = new ArrayList<>();
    int[] failures = {0};
    PostgresTestServer pg = null;
    try {
      if (runPostgres) {
        out.println("starting PostgreSQL (bulwark-test's PostgresTestServer binaries)...");
        pg = PostgresTestServer.start();
      }
      header(out);
      for (int c : concurrencies) {
        String p = "c" + c;
        if (runSqlite) {
          Path dir = Files.createDirectories(base.resolve("sqlite-" + c));
          Row limit =
              side(
                  out,
                  rows,
                  failures,
                  "sqlite",
                  c,
                  warmup,
                  window,
                  () -> LimitDriver.sqlite(dir.resolve("limit.db")));
          Row bulwark =
              side(
                  out,
                  rows,
                  failures,
                  "sqlite",
                  c,
                  warmup,
                  window,
                  () -> new BulwarkDriver(SagaStores.sqlite(dir.resolve("saga.db")), c));
          put(metrics, "sqlite_limit", c, limit);
          put(metrics, "sqlite_bulwark", c, bulwark);
          ratio(
              out, metrics, "limit_ratio_sqlite_" + p, bulwark, limit, "bulwark / limit (SQLite)");
        }
        if (pg != null) {
          PostgresTestServer server = pg;
          Row limit =
              side(
                  out,
                  rows,
                  failures,
                  "postgres",
                  c,
                  warmup,
                  window,
                  () -> LimitDriver.postgres(server.createDatabase(), c));
          Row bulwark =
              side(
                  out,
                  rows,
                  failures,
                  "postgres",
                  c,
                  warmup,
                  window,
                  () ->
                      new BulwarkDriver(
                          SagaStores.postgres(server.createDatabase(), "postgres", "", c), c));
          Row dbos =
              side(
                  out,
                  rows,
                  failures,
                  "postgres",
                  c,
                  warmup,
                  window,
                  () -> new DbosDriver(server.createDatabase(), "postgres", "", c));
          put(metrics, "postgres_limit", c, limit);
          put(metrics, "postgres_bulwark", c, bulwark);
          put(metrics, "dbos", c, dbos);
          ratio(
              out,
              metrics,
              "limit_ratio_postgres_" + p,
              bulwark,
              limit,
              "bulwark / limit (PostgreSQL)");
          ratio(out, metrics, "dbos_ratio_" + p, bulwark, dbos, "bulwark / DBOS (PostgreSQL)");
          if (bulwark != null && dbos != null) {
            double p99 = bulwark.stepP99() / dbos.stepP99();
            metrics.put("dbos_step_p99_ratio_" + p, p99);
            out.printf(
                Locale.ROOT,
                "  c=%d per-step p99 bulwark / DBOS = %.2f (%s; target < 1)%n",
                c,
                p99,
                p99 < 1 ? "lower" : "NOT lower");
          }
        }
      }
    } finally {
      if (pg != null) {
        pg.close();
      }
      deleteTree(base);
    }
    String loadEnd = loadAverage();
    out.println("load average at the end: " + loadEnd);
    metrics.put("load1_start", Double.parseDouble(load.split(" ")[0]));
    metrics.put("load1_end", Double.parseDouble(loadEnd.split(" ")[0]));
    metrics.put("checks_failed", (double) failures[0]);
    double sqlite = lowest(metrics, "limit_ratio_sqlite_", concurrencies);
    double postgres = lowest(metrics, "limit_ratio_postgres_", concurrencies);
    double dbos = lowest(metrics, "dbos_ratio_", concurrencies);
    summary(out, sqlite, postgres, dbos, metrics, concurrencies);
    if (failures[0] > 0) {
      out.println(failures[0] + " side(s) FAILED or did not count back their work: see above");
    }
    metrics.put("limit_ratio_sqlite", sqlite);
    metrics.put("limit_ratio_postgres", postgres);
    metrics.put("dbos_ratio", dbos);
    double ratio =
        runSqlite && runPostgres ? Math.min(sqlite, postgres) : runSqlite ? sqlite : postgres;
    return new BenchResult(name(), metrics, ratio);
  }

  /** A measured side, or null if it failed. */
  record Row(String db, int concurrency, Load.Measured m, SagaDriver.Stored stored) {
    double perSecond() {
      return m.perSecond();
    }

    double stepP50() {
      return m.times().steps().getValueAtPercentile(50);
    }

    double stepP99() {
      return m.times().steps().getValueAtPercentile(99);
    }
  }

  interface DriverFactory {
    SagaDriver open() throws Exception;
  }

  private static Row side(
      PrintStream out,
      List<Row> rows,
      int[] failures,
      String db,
      int concurrency,
      Duration warmup,
      Duration window,
      DriverFactory factory) {
    SagaDriver driver = null;
    try {
      driver = factory.open();
      Load.Measured m =
          Load.run(
              driver, db + "-" + driver.name() + "-c" + concurrency, concurrency, warmup, window);
      SagaDriver.Stored stored = driver.countStored();
      List<String> problems = check(driver, m, stored);
      Row row = new Row(db, concurrency, m, stored);
      print(out, row);
      if (!problems.isEmpty()) {
        failures[0]++;
        problems.forEach(p -> out.println("  CHECK FAILED " + db + "/" + m.side() + ": " + p));
        return null;
      }
      rows.add(row);
      return row;
    } catch (Exception | Error e) {
      failures[0]++;
      out.printf(
          Locale.ROOT,
          "%-8s %4d %-8s FAILED: %s%n",
          db,
          concurrency,
          driver == null ? "(open)" : driver.name(),
          e);
      return null;
    } finally {
      if (driver != null) {
        try {
          driver.close();
        } catch (Exception e) {
          out.println("  closing " + driver.name() + " failed: " + e);
        }
      }
    }
  }

  /** What must hold after a side ran: no errors, and its database holds all the work. */
  private static List<String> check(SagaDriver driver, Load.Measured m, SagaDriver.Stored s) {
    List<String> problems = new ArrayList<>(m.errors());
    long done = m.completedTotal();
    if (m.startedTotal() != done) {
      problems.add(m.startedTotal() + " sagas started but " + done + " completed");
    }
    if (done == 0) {
      problems.add("no saga completed");
    }
    switch (driver) {
      case LimitDriver l -> {
        if (s.completedRuns() != done || s.stepRows() != 3 * done) {
          problems.add(
              "database holds "
                  + s.completedRuns()
                  + " runs and "
                  + s.stepRows()
                  + " step rows for "
                  + done
                  + " completed sagas");
        }
      }
      case DbosDriver d -> {
        if (s.completedRuns() != done || s.stepRows() != 3 * done) {
          problems.add(
              "DBOS database holds "
                  + s.completedRuns()
                  + " SUCCESS workflows and "
                  + s.stepRows()
                  + " step outputs for "
                  + done
                  + " completed workflows");
        }
        if (d.actions() != 3 * done) {
          problems.add(d.actions() + " step actions ran for " + done + " workflows");
        }
      }
      case BulwarkDriver b -> {
        if (b.actions() != 3 * done) {
          problems.add(b.actions() + " step actions ran for " + done + " completed runs");
        }
        if (s.completedRuns() < 1) {
          problems.add("no run read back");
        }
      }
      default -> problems.add("unknown driver " + driver);
    }
    return problems;
  }

  private static void header(PrintStream out) {
    out.printf(
        "%-8s %4s %-8s %9s %13s %13s %13s %13s %13s %15s  %s%n",
        "db",
        "conc",
        "side",
        "sagas/s",
        "start p50/99",
        "reserve",
        "charge",
        "ship",
        "steps p50/99",
        "saga p50/p99",
        "work counted back");
  }

  private static void print(PrintStream out, Row r) {
    Load.Measured m = r.m();
    StringBuilder units = new StringBuilder();
    for (int i = 0; i < StepTimes.NAMES.length; i++) {
      units.append(String.format(Locale.ROOT, " %13s", pair(m.times().unit(i))));
    }
    out.printf(
        Locale.ROOT,
        "%-8s %4d %-8s %9.1f%s %13s %15s  %d done; %s: %d runs, %d steps%n",
        r.db(),
        r.concurrency(),
        m.side(),
        m.perSecond(),
        units,
        pair(m.times().steps()),
        pair(m.sagaMicros()),
        m.completedTotal(),
        r.stored().how(),
        r.stored().completedRuns(),
        r.stored().stepRows());
  }

  /** {@code p50/p99} in ms (µs below 10 ms would be noise on this scale), or {@code -}. */
  private static String pair(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "-";
    }
    return String.format(
        Locale.ROOT,
        "%.2f/%.2f",
        h.getValueAtPercentile(50) / 1e3,
        h.getValueAtPercentile(99) / 1e3);
  }

  private static void put(Map<String, Double> metrics, String key, int c, Row r) {
    if (r == null) {
      return;
    }
    metrics.put(key + "_sagas_s_c" + c, r.perSecond());
    metrics.put(key + "_step_p50_us_c" + c, r.stepP50());
    metrics.put(key + "_step_p99_us_c" + c, r.stepP99());
  }

  private static void ratio(
      PrintStream out, Map<String, Double> metrics, String key, Row a, Row b, String label) {
    if (a == null || b == null) {
      return;
    }
    double r = a.perSecond() / b.perSecond();
    metrics.put(key, r);
    out.printf(Locale.ROOT, "  c=%d %s = %.2f%n", a.concurrency(), label, r);
  }

  private static double lowest(Map<String, Double> metrics, String prefix, int[] concurrencies) {
    double min = Double.NaN;
    for (int c : concurrencies) {
      Double v = metrics.get(prefix + "c" + c);
      if (v == null) {
        return Double.NaN; // a failed side: no headline figure
      }
      min = Double.isNaN(min) ? v : Math.min(min, v);
    }
    return min;
  }

  private static void summary(
      PrintStream out,
      double sqlite,
      double postgres,
      double dbos,
      Map<String, Double> metrics,
      int[] concurrencies) {
    out.println("headline (lowest over concurrencies " + Arrays.toString(concurrencies) + "):");
    target(out, "SQLite:     bulwark / database limit", sqlite, 0.5);
    target(out, "PostgreSQL: bulwark / database limit", postgres, 0.5);
    target(out, "PostgreSQL: bulwark / DBOS Transact ", dbos, 1.5);
    double p99 = Double.NaN;
    for (int c : concurrencies) {
      Double v = metrics.get("dbos_step_p99_ratio_c" + c);
      if (v != null) {
        p99 = Double.isNaN(p99) ? v : Math.max(p99, v);
      }
    }
    if (!Double.isNaN(p99)) {
      out.printf(
          Locale.ROOT,
          "  per-step p99 bulwark / DBOS (highest)       = %.2f  target < 1: %s%n",
          p99,
          p99 < 1 ? "met" : "MISSED");
    }
    if (sqlite > 1 || postgres > 1) {
      out.println(
          "  group commit across concurrent runs takes bulwark past 100 % of the naive"
              + " one-commit-per-write limit"
              + (sqlite > 1 ? " on SQLite" : "")
              + (postgres > 1 ? " on PostgreSQL" : ""));
    }
  }

  private static void target(PrintStream out, String label, double v, double target) {
    out.printf(
        Locale.ROOT,
        "  %s = %.2f  target >= %.1f: %s%n",
        label,
        v,
        target,
        Double.isNaN(v) ? "NOT MEASURED" : v >= target ? "met" : "MISSED");
  }

  private static String option(List<String> args, String name, String fallback) {
    for (String a : args) {
      if (a.startsWith(name + "=")) {
        return a.substring(name.length() + 1);
      }
    }
    return fallback;
  }

  private static int positive(String name, String value) {
    try {
      int v = Integer.parseInt(value.trim());
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        name + " must be a positive whole number, got '" + value + "' (from the command line)");
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "0 0 0";
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
