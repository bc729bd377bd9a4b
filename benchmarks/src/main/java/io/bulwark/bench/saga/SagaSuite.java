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
 * <p>Sides alternate: each round runs every side once (a fresh database each time), and a side's
 * figures add up its rounds' windows. Each side's warm-up lasts {@code --warmup} seconds and,
 * beyond that, until it completed {@code --warmup-sagas} sagas (at most four times the warm-up's
 * time), so that no side is measured while the JIT compiler is still on its code. Arguments: {@code
 * --quick} (one round, 1 s and 200 sagas warm-up, 3 s window), {@code --concurrency=16,64}, {@code
 * --rounds=N} (default 2), {@code --seconds=N} (window, default 4), {@code --warmup=N} (default 5),
 * {@code --warmup-sagas=N} (default 2,000), {@code --only=sqlite|postgres}, {@code
 * --sides=db-limit,bulwark,dbos} (a subset, for profiling one side). Each round's line gives the
 * CPU time per saga of the bench's JVM and of the PostgreSQL server ({@link Cpu}).
 */
public final class SagaSuite implements BenchSuite {
  /**
   * bulwark-saga logs through {@code System.Logger}, which is java.util.logging here (no provider
   * on the class path): held at WARNING like every other library in the benchmarks (logback.xml).
   */
  private static final java.util.logging.Logger SAGA_LOG =
      java.util.logging.Logger.getLogger("io.bulwark");

  static {
    SAGA_LOG.setLevel(java.util.logging.Level.WARNING);
  }

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
        Duration.ofSeconds(positive("--seconds", option(args, "--seconds", quick ? "3" : "4")));
    Duration warmup =
        Duration.ofSeconds(positive("--warmup", option(args, "--warmup", quick ? "1" : "5")));
    int warmupSagas =
        positive("--warmup-sagas", option(args, "--warmup-sagas", quick ? "200" : "2000"));
    String only = option(args, "--only", "");
    if (!only.isEmpty() && !only.equals("sqlite") && !only.equals("postgres")) {
      throw new IllegalArgumentException(
          "--only must be sqlite or postgres, got '" + only + "' (from the command line)");
    }
    List<String> sideLabels =
        Arrays.stream(option(args, "--sides", "").split(",")).filter(x -> !x.isBlank()).toList();
    for (String label : sideLabels) {
      if (!List.of("db-limit", "bulwark", "dbos").contains(label)) {
        throw new IllegalArgumentException(
            "--sides takes db-limit, bulwark, dbos (comma-separated), got '"
                + label
                + "' (from the command line)");
      }
    }
    boolean runSqlite = !only.equals("postgres");
    boolean runPostgres = !only.equals("sqlite");

    int rounds = positive("--rounds", option(args, "--rounds", quick ? "1" : "2"));
    Path base = Files.createTempDirectory("bulwark-bench-saga");
    String load = loadAverage();
    out.printf(
        Locale.ROOT,
        "saga bench: 3 durable steps per saga, closed loop, concurrency %s; per side and round a"
            + " warm-up of %d s and at least %d sagas (at most %d s) and a %d s window, %d round(s),"
            + " sides alternating; %d cores; load average %s%n",
        Arrays.toString(concurrencies),
        warmup.toSeconds(),
        warmupSagas,
        warmup.toSeconds() * 4,
        window.toSeconds(),
        rounds,
        Runtime.getRuntime().availableProcessors(),
        load);
    out.println(
        "SQLite: WAL, synchronous=FULL (store and limit loop); PostgreSQL: fsync=on,"
            + " synchronous_commit=on (server defaults); a pool of <concurrency> connections per"
            + " PostgreSQL side; a fresh database (or file) per side and round");
    Map<String, Double> metrics = new LinkedHashMap<>();
    int[] failures = {0};
    PostgresTestServer pg = null;
    try {
      if (runPostgres) {
        out.println("starting PostgreSQL (bulwark-test's PostgresTestServer binaries)...");
        pg = PostgresTestServer.start();
      }
      PostgresTestServer server = pg;
      for (int c : concurrencies) {
        String p = "c" + c;
        Path dir = Files.createDirectories(base.resolve("sqlite-" + c));
        List<Side> sides = new ArrayList<>();
        if (runSqlite) {
          sides.add(
              new Side(
                  "sqlite",
                  "db-limit",
                  (r, u) -> LimitDriver.sqlite(dir.resolve("limit-" + r + ".db"))));
          sides.add(
              new Side(
                  "sqlite",
                  "bulwark",
                  (r, u) ->
                      new BulwarkDriver(SagaStores.sqlite(dir.resolve("saga-" + r + ".db")), c)));
        }
        if (server != null) {
          sides.add(new Side("postgres", "db-limit", (r, u) -> LimitDriver.postgres(u, c)));
          sides.add(
              new Side(
                  "postgres",
                  "bulwark",
                  (r, u) -> new BulwarkDriver(SagaStores.postgres(u, "postgres", "", c), c)));
          sides.add(new Side("postgres", "dbos", (r, u) -> new DbosDriver(u, "postgres", "", c)));
        }
        if (!sideLabels.isEmpty()) {
          sides.removeIf(side -> !sideLabels.contains(side.label()));
        }
        List<Acc> accs = new ArrayList<>();
        for (Side side : sides) {
          accs.add(new Acc(side.db(), side.label(), c));
        }
        for (int round = 1; round <= rounds; round++) {
          for (int i = 0; i < sides.size(); i++) {
            runRound(out, server, sides.get(i), accs.get(i), c, round, warmup, warmupSagas, window);
          }
        }
        header(out);
        for (Acc acc : accs) {
          print(out, acc);
          if (acc.failed()) {
            failures[0]++;
          }
        }
        Acc sqliteLimit = find(accs, "sqlite", "db-limit");
        Acc sqliteBulwark = find(accs, "sqlite", "bulwark");
        Acc pgLimit = find(accs, "postgres", "db-limit");
        Acc pgBulwark = find(accs, "postgres", "bulwark");
        Acc dbos = find(accs, "postgres", "dbos");
        put(metrics, "sqlite_limit", c, sqliteLimit);
        put(metrics, "sqlite_bulwark", c, sqliteBulwark);
        put(metrics, "postgres_limit", c, pgLimit);
        put(metrics, "postgres_bulwark", c, pgBulwark);
        put(metrics, "dbos", c, dbos);
        ratio(
            out,
            metrics,
            "limit_ratio_sqlite_" + p,
            sqliteBulwark,
            sqliteLimit,
            "bulwark / limit (SQLite)");
        ratio(
            out,
            metrics,
            "limit_ratio_postgres_" + p,
            pgBulwark,
            pgLimit,
            "bulwark / limit (PostgreSQL)");
        ratio(out, metrics, "dbos_ratio_" + p, pgBulwark, dbos, "bulwark / DBOS (PostgreSQL)");
        if (ok(pgBulwark) && ok(dbos)) {
          double p99 = pgBulwark.stepP99() / dbos.stepP99();
          metrics.put("dbos_step_p99_ratio_" + p, p99);
          out.printf(
              Locale.ROOT,
              "  c=%d per-step p99 bulwark / DBOS = %.2f (%s; target < 1)%n",
              c,
              p99,
              p99 < 1 ? "lower" : "NOT lower");
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

  /** One side of the table: a database, the driver it opens for round {@code r}. */
  record Side(String db, String label, DriverFactory factory) {}

  interface DriverFactory {
    /** Opens the side's driver; {@code pgUrl} is a fresh PostgreSQL database (null for SQLite). */
    SagaDriver open(int round, String pgUrl) throws Exception;
  }

  /** A side's rounds added up: sagas over seconds, histograms merged, checks collected. */
  static final class Acc {
    final String db;
    final int concurrency;
    final String side;
    long completed;
    double seconds;
    long completedTotal;
    final Histogram[] units = new Histogram[StepTimes.NAMES.length];
    final Histogram steps = new Histogram(3_600_000_000L, 3);
    final Histogram saga = new Histogram(3_600_000_000L, 3);
    final List<String> stored = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    final List<Double> txnPerSaga = new ArrayList<>();
    final List<Double> rowsPerSaga = new ArrayList<>();

    Acc(String db, String side, int concurrency) {
      this.db = db;
      this.side = side;
      this.concurrency = concurrency;
      for (int i = 0; i < units.length; i++) {
        units[i] = new Histogram(3_600_000_000L, 3);
      }
    }

    void add(Load.Measured m, SagaDriver.Stored s) {
      completed += m.completed();
      seconds += m.seconds();
      completedTotal += m.completedTotal();
      for (int i = 0; i < units.length; i++) {
        units[i].add(m.times().unit(i));
      }
      steps.add(m.times().steps());
      saga.add(m.sagaMicros());
      stored.add(s.completedRuns() + " runs/" + s.stepRows() + " steps");
    }

    boolean failed() {
      return !problems.isEmpty() || completed == 0;
    }

    double perSecond() {
      return completed / seconds;
    }

    double stepP50() {
      return steps.getValueAtPercentile(50);
    }

    double stepP99() {
      return steps.getValueAtPercentile(99);
    }
  }

  private static boolean ok(Acc a) {
    return a != null && !a.failed();
  }

  private static Acc find(List<Acc> accs, String db, String side) {
    for (Acc a : accs) {
      if (a.db.equals(db) && a.side.equals(side)) {
        return a;
      }
    }
    return null;
  }

  private static void runRound(
      PrintStream out,
      PostgresTestServer server,
      Side side,
      Acc acc,
      int concurrency,
      int round,
      Duration warmup,
      long warmupSagas,
      Duration window) {
    SagaDriver driver = null;
    String pgUrl = null;
    long completedAll = 0;
    try {
      pgUrl = side.db().equals("postgres") ? server.createDatabase() : null;
      driver = side.factory().open(round, pgUrl);
      Load.Measured m =
          Load.run(
              driver,
              side.db() + "-" + driver.name() + "-c" + concurrency + "-r" + round,
              concurrency,
              warmup,
              warmupSagas,
              window);
      SagaDriver.Stored stored = driver.countStored();
      List<String> problems = check(driver, m, stored);
      acc.add(m, stored);
      out.printf(
          Locale.ROOT,
          "  round %d c=%d %s/%s: %.1f sagas/s (after a warm-up of %d sagas in %.1f s), %d"
              + " completed in all, counted back: %d runs, %d steps (%s)%s%n"
              + "    cpu per saga in the window: bench JVM %.0f us, child processes (the"
              + " PostgreSQL server) %.0f us; JIT compilation in the window %d ms%n",
          round,
          concurrency,
          side.db(),
          driver.name(),
          m.perSecond(),
          m.warmupSagas(),
          m.warmupSeconds(),
          m.completedTotal(),
          stored.completedRuns(),
          stored.stepRows(),
          stored.how(),
          problems.isEmpty() ? "" : " CHECK FAILED: " + problems,
          m.cpuMicrosPerSaga()[0],
          m.cpuMicrosPerSaga()[1],
          m.jitMillisInWindow());
      acc.problems.addAll(problems);
      completedAll = m.completedTotal();
    } catch (Exception | Error e) {
      acc.problems.add("round " + round + ": " + e);
      out.printf(
          Locale.ROOT,
          "  round %d c=%d %s/%s FAILED: %s%n",
          round,
          concurrency,
          side.db(),
          side.label(),
          e);
    } finally {
      if (driver != null) {
        try {
          driver.close();
        } catch (Exception e) {
          out.println("  closing " + driver.name() + " failed: " + e);
        }
      }
    }
    if (pgUrl != null && completedAll > 0) {
      try {
        long[] stats = PgStats.settled(server, pgUrl);
        acc.txnPerSaga.add(stats[0] / (double) completedAll);
        acc.rowsPerSaga.add(stats[1] / (double) completedAll);
        out.printf(
            Locale.ROOT,
            "    %s/%s: %.1f transactions and %.1f rows written per saga (pg_stat_database, all"
                + " %d sagas of the round, reads included)%n",
            side.db(),
            side.label(),
            stats[0] / (double) completedAll,
            stats[1] / (double) completedAll,
            completedAll);
      } catch (Exception e) {
        out.println("    pg_stat_database unreadable: " + e);
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
        if (s.completedRuns() != done && s.completedRuns() >= 0) {
          problems.add(
              "store holds " + s.completedRuns() + " COMPLETED runs for " + done + " awaited");
        }
        if (s.stepRows() >= 0 && s.stepRows() != 3 * done) {
          problems.add(
              "store holds " + s.stepRows() + " completed steps for " + done + " awaited runs");
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
        "counted back per round");
  }

  private static void print(PrintStream out, Acc a) {
    if (a.completed == 0) {
      out.printf(
          Locale.ROOT, "%-8s %4d %-8s FAILED: %s%n", a.db, a.concurrency, a.side, a.problems);
      return;
    }
    StringBuilder units = new StringBuilder();
    for (Histogram h : a.units) {
      units.append(String.format(Locale.ROOT, " %13s", pair(h)));
    }
    out.printf(
        Locale.ROOT,
        "%-8s %4d %-8s %9.1f%s %13s %15s  %s%s%n",
        a.db,
        a.concurrency,
        a.side,
        a.perSecond(),
        units,
        pair(a.steps),
        pair(a.saga),
        String.join(", ", a.stored),
        a.problems.isEmpty() ? "" : "  CHECK FAILED: " + a.problems);
  }

  /** {@code p50/p99} in ms, or {@code -}. */
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

  private static void put(Map<String, Double> metrics, String key, int c, Acc a) {
    if (!ok(a)) {
      return;
    }
    metrics.put(key + "_sagas_s_c" + c, a.perSecond());
    metrics.put(key + "_step_p50_us_c" + c, a.stepP50());
    metrics.put(key + "_step_p99_us_c" + c, a.stepP99());
    if (!a.txnPerSaga.isEmpty()) {
      metrics.put(
          key + "_txn_per_saga_c" + c,
          a.txnPerSaga.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
    }
  }

  private static void ratio(
      PrintStream out, Map<String, Double> metrics, String key, Acc a, Acc b, String label) {
    if (!ok(a) || !ok(b)) {
      return;
    }
    double r = a.perSecond() / b.perSecond();
    metrics.put(key, r);
    out.printf(Locale.ROOT, "  c=%d %s = %.2f%n", a.concurrency, label, r);
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
