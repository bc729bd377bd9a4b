package io.bulwark.saga.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.saga.QueueConfig;
import io.bulwark.saga.RunHandle;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.StartOptions;
import io.bulwark.saga.WorkflowDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queue concurrency and priority. */
class QueueTest {
  @TempDir Path dir;

  @Test
  void aQueueOfConcurrencyOneRunsOneAtATimeHighestPriorityFirst() throws Exception {
    CountDownLatch blockerIn = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<String> order = new CopyOnWriteArrayList<>();
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "q",
                String.class,
                String.class,
                (wf, in) ->
                    wf.step(
                        "work",
                        String.class,
                        s -> {
                          most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                          try {
                            order.add(in);
                            if (in.equals("blocker")) {
                              blockerIn.countDown();
                              release.await();
                            }
                            return in;
                          } finally {
                            inside.decrementAndGet();
                          }
                        }))
            .queue("one")
            .build();
    try (SagaStore store = SagaStores.sqlite(dir.resolve("q.db"));
        SagaEngine e =
            SagaEngine.builder(store)
                .register(d)
                .queue(QueueConfig.of("one", 1))
                .poll(Duration.ofMillis(50))
                .build()) {
      RunHandle<String> blocker = e.start(d, "b", "blocker");
      assertThat(blockerIn.await(20, TimeUnit.SECONDS)).isTrue();
      List<RunHandle<String>> hs = new ArrayList<>();
      hs.add(e.start(d, "low", "low", StartOptions.defaults().withPriority(1)));
      hs.add(e.start(d, "high", "high", StartOptions.defaults().withPriority(9)));
      hs.add(e.start(d, "mid", "mid", StartOptions.defaults().withPriority(5)));
      release.countDown();
      blocker.await(Duration.ofSeconds(20));
      for (RunHandle<String> h : hs) {
        h.await(Duration.ofSeconds(20));
      }
      assertThat(most.get()).isEqualTo(1);
      assertThat(order).containsExactly("blocker", "high", "mid", "low");
    }
  }
}
