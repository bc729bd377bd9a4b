package io.bulwark.saga.torture;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill -9 proof on SQLite: {@value #DEFAULT_RUNS} order sagas run in a child JVM that is killed
 * with SIGKILL at random instants (while starting, recovering, mid-step, between a step's effect
 * and its checkpoint) and started again, until one life sees every run end. Then the ledger is
 * checked exactly ({@link LedgerCheck}) and the kills, runs and recovery times (child JVM start →
 * its first effect, as the child measured it) are printed.
 *
 * <p>Each life picks its kill instant with a seeded {@link Random} (seed printed): a quarter of the
 * lives are killed a random time after the JVM starts (start-up and recovery), the others right
 * after a random number of applied effects. {@code -Dbulwark.saga.torture.runs=10000} runs the long
 * mode (kills scale with the runs unless {@code bulwark.saga.torture.kills} says otherwise); {@code
 * -Dbulwark.saga.torture.seed=<n>} replays a seed's kill instants.
 */
class SqliteSigkillTortureTest {
  static final int DEFAULT_RUNS = 1_000;

  /** Applied effects per run on average over the outcomes (see {@link OrderSaga}). */
  static final double EFFECTS_PER_RUN = 3.7;

  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  @Test
  void everyRunEndsAndNoEffectIsAppliedTwiceOrLostUnderRepeatedSigkill() throws Exception {
    int runs = Integer.getInteger("bulwark.saga.torture.runs", DEFAULT_RUNS);
    int kills = Integer.getInteger("bulwark.saga.torture.kills", Math.max(12, runs / 80));
    long seed = Long.getLong("bulwark.saga.torture.seed", 20261205L);
    Random random = new Random(seed);
    Path file = dir.resolve("sagas.db");
    try (SagaStore store = SagaStores.sqlite(file)) {
      OrderSaga.createLedger(store.dataSource());
    }
    int perKill = (int) Math.max(1, runs * EFFECTS_PER_RUN / (kills * 1.5));
    List<String> args =
        List.of(
            "sqlite",
            file.toString(),
            "sqlite-executor",
            Integer.toString(runs),
            "2000",
            "500",
            "no-log-calls");

    List<Long> recovery = new ArrayList<>();
    int killed = 0;
    int lives = 0;
    long startedAt = System.nanoTime();
    while (true) {
      lives++;
      ChildJvm child = ChildJvm.start("sqlite-life-" + lives, dir, args);
      boolean ended;
      if (killed < kills) {
        if (random.nextInt(4) == 0) {
          ended = child.awaitExit(Duration.ofMillis(random.nextInt(2_500)));
        } else {
          ended = !child.awaitProgress(random.nextInt(2 * perKill + 1), Duration.ofMinutes(2));
        }
        if (!ended) {
          child.kill();
          ended = !child.endedBySigkill();
          killed += ended ? 0 : 1;
        } else {
          child.awaitExit(Duration.ofMinutes(1));
        }
      } else {
        ended = child.awaitExit(Duration.ofMinutes(10));
        if (!ended) {
          throw new AssertionError(
              "last life did not end by itself within 10 minutes\n"
                  + child.stderrTail()
                  + "\n"
                  + child.threadDump());
        }
      }
      if (lives > 1 && child.recoveryMs() >= 0) {
        recovery.add(child.recoveryMs());
      }
      if (ended) {
        assertThat(child.exitValue()).as("%s exit\n%s", child.name(), child.stderrTail()).isZero();
        assertThat(child.done())
            .as("%s reports every run ended\n%s", child.name(), child.stderrTail())
            .isNotEmpty();
        break;
      }
    }
    long seconds = Duration.ofNanos(System.nanoTime() - startedAt).toSeconds();

    LedgerCheck.Result result;
    try (SagaStore store = SagaStores.sqlite(file);
        SagaEngine engine =
            SagaEngine.builder(store)
                .register(
                    new OrderSaga(store.dataSource(), "checker", null, line -> {}).definition())
                .executorId("checker")
                .build()) {
      result = new LedgerCheck(store.dataSource(), engine::run, runs).run();
    }
    System.out.printf(
        "torture sqlite: seed=%d runs=%d kills=%d (SIGKILL) lives=%d in %d s; statuses %s;"
            + " at-least-once duplicates absorbed by the idempotency table=%d;"
            + " recovery (child JVM start -> first effect) %s%n",
        seed,
        runs,
        killed,
        lives,
        seconds,
        result.statusLine(),
        result.duplicatesAbsorbed(),
        Percentiles.describe(recovery));
    assertThat(result.violations()).as("invariant violations (seed %d)", seed).isEmpty();
    assertThat(killed)
        .as("SIGKILLs that landed before the runs ended")
        .isGreaterThanOrEqualTo(kills / 2);
    assertThat(recovery).as("restarts that measured their recovery").isNotEmpty();
  }
}
