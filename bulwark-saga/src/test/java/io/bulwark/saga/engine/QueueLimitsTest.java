package io.bulwark.saga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.saga.QueueConfig;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.StartOptions;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.testing.SagaTestKit;
import io.bulwark.test.VirtualScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-key concurrency limit and the starts-per-second limit, in virtual time. */
class QueueLimitsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path dir;

  /** Run id → the virtual time (ms since the test's start) its first step ran. */
  private final Map<String, Long> startedAt = new ConcurrentHashMap<>();

  private WorkflowDefinition<String, String> napping(String queue, VirtualScheduler clock) {
    long t0 = clock.clock().wallMillis();
    return WorkflowDefinition.builder(
            "nap-" + queue,
            String.class,
            String.class,
            (wf, in) -> {
              wf.step(
                  "in",
                  String.class,
                  s -> {
                    startedAt.putIfAbsent(s.runId(), clock.clock().wallMillis() - t0);
                    return "in";
                  });
              wf.sleep("nap", Duration.ofHours(1));
              return wf.step("out", String.class, s -> "out");
            })
        .queue(queue)
        .build();
  }

  @Test
  void aKeyRunsOneAtATimeWhileAnotherKeyIsNotHeldUp() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    WorkflowDefinition<String, String> d = napping("keyed", clock);
    try (SagaStore store = SagaStores.sqlite(dir.resolve("k.db"));
        SagaEngine e =
            SagaEngine.builder(store)
                .register(d)
                .scheduler(clock)
                .poll(Duration.ofDays(1))
                .queue(QueueConfig.of("keyed", 10).withPerKeyConcurrency(1))
                .build()) {
      for (String id : new String[] {"a1", "a2", "a3"}) {
        e.start(d, id, "x", StartOptions.defaults().withConcurrencyKey("A"));
      }
      e.start(d, "b1", "x", StartOptions.defaults().withConcurrencyKey("B"));
      e.start(d, "free", "x"); // no key: only the queue's limit applies
      SagaTestKit.awaitIdle(e, WAIT);
      assertThat(startedAt).containsOnlyKeys("a1", "b1", "free");
      clock.advance(Duration.ofHours(1).plusMinutes(1));
      SagaTestKit.awaitIdle(e, WAIT);
      assertThat(startedAt).containsOnlyKeys("a1", "b1", "free", "a2");
      clock.advance(Duration.ofHours(1).plusMinutes(1));
      SagaTestKit.awaitIdle(e, WAIT);
      clock.advance(Duration.ofHours(1).plusMinutes(1));
      SagaTestKit.awaitIdle(e, WAIT);
      assertThat(e.handle("a3", String.class).await(WAIT)).isEqualTo("out");
      assertThat(startedAt.get("a1")).isZero();
      assertThat(startedAt.get("b1")).isZero();
      assertThat(startedAt.get("a2")).isGreaterThanOrEqualTo(Duration.ofHours(1).toMillis());
      assertThat(startedAt.get("a3")).isGreaterThanOrEqualTo(Duration.ofHours(2).toMillis());
    }
  }

  @Test
  void startsPerSecondAreLimitedInVirtualTime() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    WorkflowDefinition<String, String> d = napping("rated", clock);
    try (SagaStore store = SagaStores.sqlite(dir.resolve("r.db"));
        SagaEngine e =
            SagaEngine.builder(store)
                .register(d)
                .scheduler(clock)
                .poll(Duration.ofDays(1))
                .queue(QueueConfig.of("rated", 100).withStartsPerSecond(2))
                .build()) {
      for (int i = 0; i < 6; i++) {
        e.start(d, "r" + i, "x");
      }
      SagaTestKit.awaitIdle(e, WAIT);
      assertThat(startedAt).hasSize(2);
      // the limit holds for a whole second: nothing more starts just before it ends
      clock.advance(Duration.ofMillis(900));
      SagaTestKit.awaitIdle(e, WAIT);
      assertThat(startedAt).hasSize(2);
      clock.advance(Duration.ofMillis(200));
      SagaTestKit.awaitIdle(e, WAIT);
      assertThat(startedAt).hasSize(4);
      clock.advance(Duration.ofMillis(1100));
      SagaTestKit.awaitIdle(e, WAIT);
      assertThat(startedAt).hasSize(6);
      // no second saw more than two starts
      for (long second = 0; second < 4; second++) {
        long from = second * 1000;
        long n = startedAt.values().stream().filter(t -> t >= from && t < from + 1000).count();
        assertThat(n).as("starts in second %d", second).isLessThanOrEqualTo(2);
      }
    }
  }
}
