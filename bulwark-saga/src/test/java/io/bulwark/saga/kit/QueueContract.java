package io.bulwark.saga.kit;

import static io.bulwark.saga.kit.KitAccess.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.saga.QueueConfig;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.StartOptions;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Queues: the concurrency limit of a queue and of a key within it, priority order and the start
 * rate. A run of the kit's queue workflows holds its slot until the test lets it go (a gate), so
 * the limits are observed, not inferred from timing.
 */
interface QueueContract extends KitAccess {

  /** Runs that are inside their step, per concurrency key ("" for none), and the most seen. */
  final class Occupancy {
    final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> most = new ConcurrentHashMap<>();
    final Semaphore entered = new Semaphore(0);
    // fair: a released permit goes to the run that has waited longest, so each key's runs take
    // turns; an unfair gate could hand every permit to one key's runs while the other key's run
    // waited (the drain then waited for an entry that only that run's step timeout could bring)
    final Semaphore gate = new Semaphore(0, true);

    void enter(String key) throws InterruptedException {
      for (String k : List.of(key, "*")) {
        int now = active.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
        most.computeIfAbsent(k, x -> new AtomicInteger()).accumulateAndGet(now, Math::max);
      }
      entered.release();
      try {
        if (!gate.tryAcquire(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never opened the gate");
        }
      } finally {
        active.get(key).decrementAndGet();
        active.get("*").decrementAndGet();
      }
    }

    int most(String key) {
      AtomicInteger n = most.get(key);
      return n == null ? 0 : n.get();
    }

    void awaitEntered(int runs) throws InterruptedException {
      assertThat(entered.tryAcquire(runs, 30, TimeUnit.SECONDS))
          .as("%d more runs entered their step", runs)
          .isTrue();
    }
  }

  private static WorkflowDefinition<String, String> gated(
      String name, String queue, Occupancy occupancy) {
    return WorkflowDefinition.builder(
            name,
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
        .queue(queue)
        .build();
  }

  /**
   * Lets {@code runs} runs through one at a time, {@code first} of them being inside already: each
   * release waits until another run entered, so a run the limit should hold back has every chance
   * to start (and be counted) before the test goes on.
   */
  private static void drain(Occupancy occupancy, int runs, int first) throws InterruptedException {
    for (int i = first; i < runs; i++) {
      occupancy.gate.release();
      occupancy.awaitEntered(1);
    }
    occupancy.gate.release(first);
  }

  @Test
  default void aQueueRunsAtMostItsConcurrencyLimitAtOnce() throws Exception {
    Occupancy occupancy = new Occupancy();
    WorkflowDefinition<String, String> def = gated("kit-queue-limit", "kit-two", occupancy);
    SagaEngine engine =
        kit().start(kit().real(store()).queue(QueueConfig.of("kit-two", 2)).register(def));
    for (int i = 0; i < 6; i++) {
      engine.start(def, "r-limit-" + i, "");
    }
    occupancy.awaitEntered(2);
    drain(occupancy, 6, 2);
    for (int i = 0; i < 6; i++) {
      await(engine.handle("r-limit-" + i, String.class));
    }
    assertThat(occupancy.most("*")).isEqualTo(2);
  }

  @Test
  default void aConcurrencyKeyRunsAtMostItsPerKeyLimitWhileOtherKeysRun() throws Exception {
    Occupancy occupancy = new Occupancy();
    WorkflowDefinition<String, String> def = gated("kit-queue-key", "kit-keyed", occupancy);
    SagaEngine engine =
        kit()
            .start(
                kit()
                    .real(store())
                    .queue(QueueConfig.of("kit-keyed", 10).withPerKeyConcurrency(1))
                    .register(def));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String key = i % 2 == 0 ? "A" : "B";
      String id = "r-key-" + i;
      ids.add(id);
      engine.start(def, id, key, StartOptions.defaults().withConcurrencyKey(key));
    }
    occupancy.awaitEntered(2);
    assertThat(occupancy.active.get("A").get()).as("one A run inside").isEqualTo(1);
    assertThat(occupancy.active.get("B").get()).as("one B run inside").isEqualTo(1);
    drain(occupancy, 6, 2);
    for (String id : ids) {
      await(engine.handle(id, String.class));
    }
    assertThat(occupancy.most("A")).isEqualTo(1);
    assertThat(occupancy.most("B")).isEqualTo(1);
    assertThat(occupancy.most("*")).isEqualTo(2);
  }

  @Test
  default void higherPrioritiesStartFirstAndEqualOnesInStartOrder() throws Exception {
    CountDownLatch blockerIn = new CountDownLatch(1);
    CountDownLatch blockerGo = new CountDownLatch(1);
    List<String> order = new CopyOnWriteArrayList<>();
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-priority",
                String.class,
                String.class,
                (wf, name) ->
                    wf.step(
                        "work",
                        String.class,
                        s -> {
                          if (name.equals("blocker")) {
                            blockerIn.countDown();
                            assertThat(blockerGo.await(30, TimeUnit.SECONDS)).isTrue();
                          }
                          order.add(name);
                          return name;
                        }))
            .queue("kit-one")
            .build();
    SagaEngine engine =
        kit().start(kit().real(store()).queue(QueueConfig.of("kit-one", 1)).register(def));
    engine.start(def, "r-blocker", "blocker");
    assertThat(blockerIn.await(30, TimeUnit.SECONDS)).isTrue();
    String[][] runs = {{"low", "1"}, {"high", "5"}, {"mid", "3"}, {"high-2", "5"}};
    for (String[] r : runs) {
      engine.start(
          def, "r-" + r[0], r[0], StartOptions.defaults().withPriority(Integer.parseInt(r[1])));
    }
    blockerGo.countDown();
    for (String[] r : runs) {
      await(engine.handle("r-" + r[0], String.class));
    }
    assertThat(order).containsExactly("blocker", "high", "high-2", "mid", "low");
  }

  @Test
  default void aQueueStartsAtMostItsRatePerSecond() throws Exception {
    VirtualScheduler time = new VirtualScheduler();
    List<Long> startedAt = new CopyOnWriteArrayList<>();
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-rate",
                String.class,
                String.class,
                (wf, in) ->
                    wf.step(
                        "work",
                        String.class,
                        s -> {
                          startedAt.add(time.clock().nanoTime());
                          return in;
                        }))
            .queue("kit-rated")
            .build();
    SagaEngine engine =
        kit()
            .start(
                kit()
                    .virtual(store(), time)
                    .poll(Duration.ofMillis(100))
                    .queue(QueueConfig.of("kit-rated", 10).withStartsPerSecond(1))
                    .register(def));
    for (int i = 0; i < 4; i++) {
      engine.start(def, "r-rate-" + i, "in-" + i);
    }
    for (int step = 0; step < 100 && completed(engine, 4) < 4; step++) {
      // let every started run finish before time moves on
      Waits.until(
          "started runs to complete",
          () -> completed(engine, 4) == startedAt.size(),
          () -> startedAt.size() + " started");
      long seconds = time.virtualClock().elapsed().toSeconds();
      assertThat(begun(engine, 4))
          .as("runs begun after %d virtual seconds", seconds)
          .isLessThanOrEqualTo((int) (1 + seconds));
      time.advance(Duration.ofMillis(100));
    }
    assertThat(completed(engine, 4)).as("all four ran within 10 virtual seconds").isEqualTo(4);
    assertThat(startedAt.get(3) - startedAt.get(0))
        .as("four starts at 1/s span three seconds at least")
        .isGreaterThanOrEqualTo(Duration.ofMillis(2_900).toNanos());
  }

  private static int begun(SagaEngine engine, int runs) {
    int n = 0;
    for (int i = 0; i < runs; i++) {
      if (engine.run("r-rate-" + i).map(v -> v.status() != RunStatus.PENDING).orElse(false)) {
        n++;
      }
    }
    return n;
  }

  private static int completed(SagaEngine engine, int runs) {
    int n = 0;
    for (int i = 0; i < runs; i++) {
      if (engine.run("r-rate-" + i).map(v -> v.status() == RunStatus.COMPLETED).orElse(false)) {
        n++;
      }
    }
    return n;
  }
}
