package io.bulwark.saga.kit;

import static io.bulwark.saga.kit.KitAccess.await;
import static io.bulwark.saga.kit.Waits.stepOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Serdes;
import io.bulwark.saga.RunEvent;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.Step;
import io.bulwark.saga.StepAction;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The saga store kit on a real PostgreSQL server (a database per test), plus what only a shared
 * store can do: a second executor adopts the runs of one whose lease expired, and the old owner (a
 * zombie that never noticed) can no longer write to them.
 */
class PostgresSagaStoreCompatibilityTest extends SagaStoreCompatibilityKit {
  private static final Duration LEASE = Duration.ofMillis(900);
  private static final Duration HEARTBEAT = Duration.ofMillis(300);

  private PostgresDatabase pg;

  @Override
  protected Database newDatabase() throws Exception {
    pg = PostgresDatabase.create();
    return () -> pg.open(8);
  }

  private SagaEngine.Builder executor(SagaStore store, String id) {
    return kit.real(store).executorId(id).lease(LEASE, HEARTBEAT);
  }

  @Test
  void aSecondExecutorFinishesTheRunsOfAClosedOne() throws Exception {
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-handover",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("a", String.class, s -> "a" + effects.record("a:" + in));
                  wf.awaitSignal("wait", "go", String.class, Duration.ofHours(1));
                  return wf.step("b", String.class, s -> in + "-b" + effects.record("b:" + in));
                })
            .build();
    SagaEngine first = kit.start(executor(store, "kit-first").register(def));
    for (int i = 0; i < 5; i++) {
      first.start(def, "r-handover-" + i, "x" + i);
    }
    for (int i = 0; i < 5; i++) {
      Waits.waitingAt(first, "r-handover-" + i, "wait");
    }
    first.close();

    long t0 = System.nanoTime();
    SagaEngine second = kit.start(executor(reopen(), "kit-second").register(def));
    for (int i = 0; i < 5; i++) {
      second.signal("r-handover-" + i, "go", "now");
    }
    for (int i = 0; i < 5; i++) {
      assertThat(await(second.handle("r-handover-" + i, String.class))).isEqualTo("x" + i + "-b1");
    }
    System.out.printf(
        "kit: 5 runs of a closed executor finished by another in %d ms (lease %d ms)%n",
        (System.nanoTime() - t0) / 1_000_000, LEASE.toMillis());
    for (int i = 0; i < 5; i++) {
      assertThat(effects.count("a:x" + i)).isEqualTo(1);
      assertThat(effects.count("b:x" + i)).isEqualTo(1);
    }
  }

  /**
   * The zombie: an executor whose scheduler never ticks (its heartbeat stops, as in a long GC pause
   * or a frozen VM) while one of its steps is inside {@code n}. Another executor adopts the run
   * after the lease expires and runs {@code n} itself; then the zombie's step returns.
   */
  private void zombieCannotWriteAfterAdoption(boolean transactional) throws Exception {
    if (transactional) {
      KitFixture.createRows(store);
    }
    CountDownLatch zombieInside = new CountDownLatch(1);
    CountDownLatch adopterInside = new CountDownLatch(1);
    String topic = "kit-zombie-" + transactional;
    WorkflowDefinition<String, String> asZombie =
        zombieSaga(
            transactional,
            topic,
            "A",
            () -> {
              zombieInside.countDown();
              // released when the adopter ran the step (or after 10 s if adoption must wait)
              adopterInside.await(10, TimeUnit.SECONDS);
            });
    WorkflowDefinition<String, String> asAdopter =
        zombieSaga(transactional, topic, "B", adopterInside::countDown);
    SagaStore adopterStore = reopen(); // opened first: see aStoreOpensWhileATransactionalStepIsOpen
    VirtualScheduler frozen = new VirtualScheduler();
    SagaEngine zombie =
        kit.start(executor(store, "kit-zombie").scheduler(frozen).register(asZombie));
    zombie.start(asZombie, "r-zombie", "x");
    frozen.runDue();
    assertThat(zombieInside.await(30, TimeUnit.SECONDS)).isTrue();

    long t0 = System.nanoTime();
    SagaEngine adopter = kit.start(executor(adopterStore, "kit-adopter").register(asAdopter));
    String out = await(adopter.handle("r-zombie", String.class));
    long adoptedMs = (System.nanoTime() - t0) / 1_000_000;
    zombie.close(); // its step has returned by now and its checkpoint was attempted

    RunView run = Waits.status(adopter, "r-zombie", RunStatus.COMPLETED);
    String winner = out.substring(out.length() - 1); // who ran step n for good
    assertThat(stepOf(run, "n").outputJson()).isEqualTo("\"from-" + winner + "\"");
    assertThat(out).endsWith("-after-from-" + winner);
    assertThat(effects.count("a")).as("a completed before the adoption").isEqualTo(1);
    assertThat(effects.count("z:A") + effects.count("z:B")).as("z ran once").isEqualTo(1);
    if (winner.equals("B")) {
      assertThat(effects.count("z:A")).isZero();
      assertThat(run.timeline()).extracting(RunEvent::kind).contains("adopted");
    }
    if (transactional) {
      assertThat(KitFixture.rows(store, "r-zombie")).containsExactly(winner);
      assertThat(KitFixture.outboxCount(store, topic)).isEqualTo(1);
    }
    System.out.printf(
        "kit: run adopted from a zombie and finished in %d ms (lease %d ms, transactional=%s)%n",
        adoptedMs, LEASE.toMillis(), transactional);
  }

  /** Code run inside step {@code n}. */
  private interface Inside {
    void run() throws Exception;
  }

  private WorkflowDefinition<String, String> zombieSaga(
      boolean transactional, String topic, String who, Inside inside) {
    StepAction<String> action =
        s -> {
          effects.record("n:" + who);
          if (transactional) {
            KitFixture.insertRow(s.connection(), s.runId(), who);
            s.outbox(OutgoingRecord.of(topic, s.runId(), who, Serdes.string()));
          }
          inside.run();
          return "from-" + who;
        };
    Step.Builder<String> n = Step.named("n", String.class).retry(KitFixture.NO_RETRY);
    Step<String> step = transactional ? n.transactional().action(action) : n.action(action);
    return WorkflowDefinition.builder(
            "kit-zombie",
            String.class,
            String.class,
            (wf, in) -> {
              wf.step("a", String.class, s -> "a" + effects.record("a"));
              String got = wf.step(step);
              return wf.step(
                  "z",
                  String.class,
                  s -> {
                    effects.record("z:" + who);
                    return "z-" + who + "-after-" + got;
                  });
            })
        .build();
  }

  @Test
  void aZombieExecutorCannotCheckpointAStepAfterItsRunWasAdopted() throws Exception {
    zombieCannotWriteAfterAdoption(false);
  }

  @Test
  void aZombieExecutorCannotCommitATransactionalStepAfterItsRunWasAdopted() throws Exception {
    zombieCannotWriteAfterAdoption(true);
  }

  @Test
  void fourExecutorsOnOneStoreRunEveryRunExactlyOnce() throws Exception {
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-shared",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("one", String.class, s -> "1" + effects.record("one:" + in));
                  return wf.step("two", String.class, s -> in + effects.record("two:" + in));
                })
            .build();
    List<SagaEngine> engines = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      engines.add(kit.start(executor(reopen(), "kit-shared-" + i).register(def)));
    }
    for (int i = 0; i < 40; i++) {
      engines.get(i % 4).start(def, "r-shared-" + i, "in" + i);
    }
    for (int i = 0; i < 40; i++) {
      assertThat(await(engines.get((i + 1) % 4).handle("r-shared-" + i, String.class)))
          .isEqualTo("in" + i + "1");
      assertThat(effects.count("one:in" + i)).isEqualTo(1);
      assertThat(effects.count("two:in" + i)).isEqualTo(1);
    }
  }

  @Test
  void aStoreAndAnExecutorOpenWhileAnotherExecutorsTransactionalStepIsOpen() throws Exception {
    KitFixture.createRows(store);
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Step<String> pay =
        Step.named("pay", String.class)
            .transactional()
            .retry(KitFixture.NO_RETRY)
            .action(
                s -> {
                  KitFixture.insertRow(s.connection(), s.runId(), "paid");
                  s.outbox(
                      OutgoingRecord.of("kit-open-during-tx", s.runId(), "p", Serdes.string()));
                  inside.countDown();
                  assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                  return "paid";
                });
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-open-during-tx", String.class, String.class, (wf, in) -> wf.step(pay))
            .build();
    SagaEngine first = kit.start(executor(store, "kit-first").register(def));
    first.start(def, "r-open-during-tx", "x");
    assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();

    java.util.concurrent.CompletableFuture<SagaEngine> second =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> kit.start(executor(reopen(), "kit-second").register(def)));
    try {
      second.get(20, TimeUnit.SECONDS);
    } finally {
      release.countDown();
    }
    assertThat(await(first.handle("r-open-during-tx", String.class))).isEqualTo("paid");
    assertThat(KitFixture.rows(store, "r-open-during-tx")).containsExactly("paid");
  }

  @Test
  void aQueuesConcurrencyLimitHoldsAcrossExecutors() throws Exception {
    QueueContract.Occupancy occupancy = new QueueContract.Occupancy();
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-cluster-queue",
                String.class,
                String.class,
                (wf, key) ->
                    wf.step(
                        "work",
                        String.class,
                        s -> {
                          occupancy.enter(key);
                          return key;
                        }))
            .queue("kit-two")
            .build();
    List<SagaEngine> engines = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      engines.add(
          kit.start(
              executor(reopen(), "kit-queue-" + i)
                  .queue(io.bulwark.saga.QueueConfig.of("kit-two", 2))
                  .register(def)));
    }
    for (int i = 0; i < 6; i++) {
      engines.get(i % 2).start(def, "r-cq-" + i, "");
    }
    occupancy.awaitEntered(2);
    for (int i = 2; i < 6; i++) {
      occupancy.gate.release();
      occupancy.awaitEntered(1);
    }
    occupancy.gate.release(2);
    for (int i = 0; i < 6; i++) {
      assertThat(await(engines.get(0).handle("r-cq-" + i, String.class))).isEmpty();
    }
    assertThat(occupancy.most("*"))
        .as("runs of the queue at once, both executors together")
        .isEqualTo(2);
  }
}
