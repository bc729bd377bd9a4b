package io.bulwark.saga.torture;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.test.postgres.PostgresTestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adoption proof on PostgreSQL: two executor JVMs share one store and start the same {@value
 * #DEFAULT_RUNS} order runs (idempotent start, raced across JVMs); executor A is killed with
 * SIGKILL at random instants and replaced by a new executor (a new id, as a new pod would be) while
 * executor B keeps going. The runs A held must be adopted (by B or A's successor) once their lease
 * (2 s, heartbeat 500 ms) expires; afterwards the ledger is checked exactly ({@link LedgerCheck}).
 *
 * <p>Adoption time of a run = time from the kill to the first step call of a run whose previous
 * call was on the killed executor, on another executor (from {@code torture_calls}). {@code
 * -Dbulwark.saga.torture.pg.runs=2000} (and {@code .pg.kills}) runs the long mode.
 */
class PostgresAdoptionTortureTest {
  static final int DEFAULT_RUNS = 200;

  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private record Kill(String executor, long atMs) {}

  @Test
  void survivorAdoptsTheKilledExecutorsRunsAndTheLedgerBalances() throws Exception {
    int runs = Integer.getInteger("bulwark.saga.torture.pg.runs", DEFAULT_RUNS);
    int kills = Integer.getInteger("bulwark.saga.torture.pg.kills", Math.max(5, runs / 40));
    long seed = Long.getLong("bulwark.saga.torture.seed", 20261205L);
    Random random = new Random(seed);
    url = PostgresTestServer.shared().createDatabase();
    try (SagaStore store = SagaStores.postgres(url, "postgres", "", 2)) {
      OrderSaga.createLedger(store.dataSource());
    }
    // Both executors share the effects; A sees about half of them.
    int perKill =
        (int) Math.max(1, runs * SqliteSigkillTortureTest.EFFECTS_PER_RUN / 2 / (kills * 3.0));
    long startedAt = System.nanoTime();
    ChildJvm b = ChildJvm.start("pg-executor-b", dir, childArgs(url, "executor-b", runs));
    List<Kill> killList = new ArrayList<>();
    ChildJvm a;
    int lives = 0;
    while (true) {
      lives++;
      String id = "executor-a" + lives;
      a = ChildJvm.start("pg-" + id, dir, childArgs(url, id, runs));
      if (killList.size() >= kills) {
        break;
      }
      boolean ended;
      if (random.nextInt(4) == 0) {
        ended = a.awaitExit(Duration.ofMillis(random.nextInt(2_500)));
      } else {
        ended = !awaitProgress(a, b, random.nextInt(2 * perKill + 1));
      }
      if (ended) {
        a.awaitExit(Duration.ofMinutes(1));
        break;
      }
      long at = a.kill();
      if (!a.endedBySigkill()) {
        break;
      }
      killList.add(new Kill(id, at));
    }
    for (ChildJvm child : List.of(a, b)) {
      if (!child.awaitExit(Duration.ofMinutes(10))) {
        throw new AssertionError(
            child.name()
                + " did not end by itself within 10 minutes\n"
                + stuck(a, b)
                + unfinished());
      }
      assertThat(child.exitValue()).as("%s exit\n%s", child.name(), child.stderrTail()).isZero();
      assertThat(child.done())
          .as("%s saw every run end\n%s", child.name(), child.stderrTail())
          .isNotEmpty();
    }
    long seconds = Duration.ofNanos(System.nanoTime() - startedAt).toSeconds();

    LedgerCheck.Result result;
    List<Long> adoption;
    try (SagaStore store = SagaStores.postgres(url, "postgres", "", 4);
        SagaEngine engine =
            SagaEngine.builder(store)
                .register(
                    new OrderSaga(store.dataSource(), "checker", null, line -> {}).definition())
                .executorId("checker")
                .build()) {
      result = new LedgerCheck(store.dataSource(), engine::run, runs).run();
      adoption = adoptionTimes(store, killList);
    }
    System.out.printf(
        "torture postgresql: seed=%d runs=%d executors=2 kills=%d (SIGKILL of executor A) in %d s;"
            + " statuses %s; at-least-once duplicates absorbed=%d; adopted runs' adoption"
            + " (kill -> first call elsewhere) %s%n",
        seed,
        runs,
        killList.size(),
        seconds,
        result.statusLine(),
        result.duplicatesAbsorbed(),
        Percentiles.describe(adoption));
    assertThat(result.violations()).as("invariant violations (seed %d)", seed).isEmpty();
    assertThat(killList).as("SIGKILLs that landed before the runs ended").isNotEmpty();
    assertThat(adoption).as("runs of a killed executor that went on elsewhere").isNotEmpty();
  }

  private static boolean awaitProgress(ChildJvm a, ChildJvm b, int lines)
      throws InterruptedException {
    try {
      return a.awaitProgress(lines, Duration.ofMinutes(2));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + stuck(b, b) + unfinished(), e);
    }
  }

  private static String url = "";

  /** The store's unfinished runs as the engine's table holds them (diagnostics only). */
  private static String unfinished() {
    StringBuilder s =
        new StringBuilder("--- unfinished runs in saga_runs (ms relative to now) ---\n");
    try (Connection c = java.sql.DriverManager.getConnection(url, "postgres", "");
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT run_id, status, phase, owner, lease_until, wake_at, fence, cause FROM saga_runs"
                    + " WHERE status NOT IN ('COMPLETED', 'COMPENSATED') ORDER BY run_id LIMIT 40");
        ResultSet rs = ps.executeQuery()) {
      long now = System.currentTimeMillis();
      while (rs.next()) {
        s.append(rs.getString(1)).append(' ').append(rs.getString(2)).append(' ');
        s.append(rs.getString(3)).append(" owner=").append(rs.getString(4));
        long lease = rs.getLong(5);
        s.append(" lease=").append(rs.wasNull() ? "null" : Long.toString(lease - now));
        long wake = rs.getLong(6);
        s.append(" wake=").append(rs.wasNull() ? "null" : Long.toString(wake - now));
        s.append(" fence=").append(rs.getLong(7));
        s.append(" cause=").append(rs.getString(8)).append('\n');
      }
    } catch (SQLException e) {
      s.append("(cannot read: ").append(e).append(")\n");
    }
    return s.toString();
  }

  private static String stuck(ChildJvm a, ChildJvm b) {
    StringBuilder s = new StringBuilder();
    for (ChildJvm c : a == b ? List.of(a) : List.of(a, b)) {
      s.append(c.name()).append(": ").append(c.progress()).append(" effects, ").append(c.started());
      s.append('\n').append(c.stderrTail()).append('\n').append(c.threadDump()).append('\n');
    }
    return s.toString();
  }

  private static List<String> childArgs(String url, String executor, int runs) {
    return List.of("postgresql", url, executor, Integer.toString(runs), "2000", "500", "log-calls");
  }

  /**
   * For every kill: the runs whose last call before the kill was on the killed executor and that
   * were called again later on another one; the delay from the kill to that call.
   */
  private static List<Long> adoptionTimes(SagaStore store, List<Kill> kills) throws SQLException {
    record Call(String run, String executor, long atMs) {}
    List<Call> calls = new ArrayList<>();
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT run_id, executor, at_ms FROM torture_calls ORDER BY at_ms");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        calls.add(new Call(rs.getString(1), rs.getString(2), rs.getLong(3)));
      }
    }
    List<Long> times = new ArrayList<>();
    for (Kill kill : kills) {
      Map<String, String> lastBefore = new HashMap<>();
      Map<String, Long> firstAfter = new HashMap<>();
      for (Call call : calls) {
        if (call.atMs() <= kill.atMs()) {
          lastBefore.put(call.run(), call.executor());
        } else if (kill.executor().equals(lastBefore.get(call.run()))
            && !call.executor().equals(kill.executor())) {
          firstAfter.putIfAbsent(call.run(), call.atMs() - kill.atMs());
        }
      }
      times.addAll(firstAfter.values());
    }
    return times;
  }
}
