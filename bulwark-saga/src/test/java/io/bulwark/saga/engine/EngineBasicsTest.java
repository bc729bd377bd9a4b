package io.bulwark.saga.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.RunFailedException;
import io.bulwark.saga.RunHandle;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.Step;
import io.bulwark.saga.StepView;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.testing.SagaTestKit;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpointing, compensation order, idempotent start and mismatch parking on SQLite. */
class EngineBasicsTest {
  @TempDir Path dir;
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  private final List<String> effects = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private SagaStore store() {
    SagaStore s = SagaStores.sqlite(dir.resolve("sagas.db"));
    open.add(s);
    return s;
  }

  private SagaEngine engine(SagaStore store, WorkflowDefinition<?, ?>... defs) {
    SagaEngine e =
        SagaEngine.builder(store)
            .register(defs)
            .defaultRetry(
                RetryConfig.builder()
                    .maxAttempts(3)
                    .fixedDelay(Duration.ofMillis(1))
                    .retryOn(t -> t instanceof IOException)
                    .build())
            .defaultCompensationRetry(
                RetryConfig.builder()
                    .maxAttempts(2)
                    .fixedDelay(Duration.ofMillis(1))
                    .retryOn(t -> true)
                    .build())
            .build();
    open.add(e);
    return e;
  }

  private WorkflowDefinition<String, String> order(String failAt) {
    return WorkflowDefinition.builder(
            "order",
            String.class,
            String.class,
            (wf, in) -> {
              String r =
                  wf.step(
                      "reserve",
                      String.class,
                      s -> {
                        effects.add("reserve " + in);
                        return "R-" + in;
                      },
                      (s, res) -> effects.add("release " + res));
              String p =
                  wf.step(
                      "charge",
                      String.class,
                      s -> {
                        if (failAt.equals("charge")) {
                          throw new IllegalStateException("card declined");
                        }
                        effects.add("charge " + in);
                        return "P-" + in;
                      },
                      (s, res) -> effects.add("refund " + res));
              String sh =
                  wf.step(
                      "ship",
                      String.class,
                      s -> {
                        if (failAt.equals("ship")) {
                          throw new IllegalStateException("no courier");
                        }
                        effects.add("ship " + in);
                        return "S-" + in;
                      });
              return r + "," + p + "," + sh;
            })
        .build();
  }

  @Test
  void completesAThreeStepSagaAndStoresEveryStep() throws Exception {
    WorkflowDefinition<String, String> d = order("none");
    SagaEngine e = engine(store(), d);
    RunHandle<String> h = e.start(d, "o-1", "1");
    assertThat(h.created()).isTrue();
    assertThat(h.await(Duration.ofSeconds(20))).isEqualTo("R-1,P-1,S-1");
    assertThat(effects).containsExactly("reserve 1", "charge 1", "ship 1");
    RunView v = e.run("o-1").orElseThrow();
    assertThat(v.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(v.steps()).extracting(StepView::name).containsExactly("reserve", "charge", "ship");
    assertThat(v.steps()).extracting(StepView::status).containsOnly("COMPLETED");
    assertThat(v.outputJson()).isEqualTo("\"R-1,P-1,S-1\"");
    assertThat(v.timeline()).extracting(x -> x.kind()).contains("started", "completed");
  }

  @Test
  void startingTheSameRunIdTwiceReturnsTheExistingRun() throws Exception {
    WorkflowDefinition<String, String> d = order("none");
    SagaEngine e = engine(store(), d);
    e.start(d, "o-2", "2").await(Duration.ofSeconds(20));
    RunHandle<String> again = e.start(d, "o-2", "other input");
    assertThat(again.created()).isFalse();
    assertThat(again.await(Duration.ofSeconds(5))).isEqualTo("R-2,P-2,S-2");
    assertThat(effects).containsExactly("reserve 2", "charge 2", "ship 2");
  }

  @Test
  void aFatalFailureCompensatesCompletedStepsInReverseOrder() throws Exception {
    WorkflowDefinition<String, String> d = order("ship");
    SagaEngine e = engine(store(), d);
    RunHandle<String> h = e.start(d, "o-3", "3");
    assertThatThrownBy(() -> h.await(Duration.ofSeconds(20)))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("COMPENSATED")
        .hasMessageContaining("ship")
        .hasMessageContaining("no courier");
    assertThat(effects)
        .containsExactly("reserve 3", "charge 3", "refund P-3", "release R-3")
        .doesNotContain("ship 3");
  }

  @Test
  void retriesARetriableErrorDurablyAndCountsAttempts() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    WorkflowDefinition<String, Integer> d =
        WorkflowDefinition.builder(
                "flaky",
                String.class,
                Integer.class,
                (wf, in) ->
                    wf.step(
                        Step.named("call", Integer.class)
                            .action(
                                s -> {
                                  if (calls.incrementAndGet() < 3) {
                                    throw new IOException("blip " + s.attempt());
                                  }
                                  return s.attempt();
                                })))
            .build();
    SagaEngine e = engine(store(), d);
    assertThat(e.start(d, "f-1", "x").await(Duration.ofSeconds(20))).isEqualTo(3);
    StepView step = e.run("f-1").orElseThrow().steps().get(0);
    assertThat(step.attempts()).isEqualTo(3);
    assertThat(e.run("f-1").orElseThrow().timeline())
        .filteredOn(x -> x.kind().equals("retry"))
        .hasSize(2);
  }

  @Test
  void aRestartedEngineReturnsStoredResultsAndParksOnARenamedStep() throws Exception {
    SagaStore store = store();
    WorkflowDefinition<String, String> slow =
        WorkflowDefinition.builder(
                "rename",
                String.class,
                String.class,
                (wf, in) -> {
                  String a =
                      wf.step(
                          "a",
                          String.class,
                          s -> {
                            effects.add("a");
                            return "A";
                          });
                  wf.awaitSignal("wait-go", "go", String.class, Duration.ofHours(1));
                  return a + wf.step("b", String.class, s -> "B");
                })
            .build();
    SagaEngine first = engine(store, slow);
    first.start(slow, "r-1", "x");
    SagaTestKit.awaitIdle(first, Duration.ofSeconds(20));
    assertThat(first.run("r-1").orElseThrow().status()).isEqualTo(RunStatus.WAITING);
    first.close();
    WorkflowDefinition<String, String> renamed =
        WorkflowDefinition.builder(
                "rename",
                String.class,
                String.class,
                (wf, in) -> {
                  String a =
                      wf.step(
                          "a-renamed",
                          String.class,
                          s -> {
                            effects.add("a2");
                            return "A2";
                          });
                  return a;
                })
            .build();
    SagaEngine second = engine(store, renamed);
    second.signal("r-1", "go", "now"); // wakes it now: it must not run the renamed step
    RunHandle<String> h = second.handle("r-1", String.class);
    assertThatThrownBy(() -> h.await(Duration.ofSeconds(20)))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("PARKED");
    RunView v = second.run("r-1").orElseThrow();
    assertThat(v.cause()).contains("'a'").contains("a-renamed");
    assertThat(effects).containsExactly("a");
  }
}
