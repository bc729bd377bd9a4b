package io.bulwark.chaos.saga;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.chaos.cohort.LabelTelemetry;
import io.bulwark.chaos.cohort.LogCapture;
import io.bulwark.chaos.points.ChaosFixture;
import io.bulwark.core.context.Context;
import io.bulwark.core.fault.ChaosCohort;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.test.RecordingTelemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A saga run started inside a chaos cohort carries it durably: the run's stored context keeps the
 * {@code chaos.experiment} baggage, so after its engine is gone (closed mid-run, while the run
 * waits for a signal) a new engine on the same store resumes it, signalled from outside any cohort,
 * and still labels the run's step spans, run span, step log lines and RED series with the cohort. A
 * control run gets {@code control}; a hostile name {@code other}; without an active fault nothing
 * is labelled.
 */
class SagaCohortLabelsTest {

  @BeforeAll
  static void logback() {
    LabelTelemetry.assumeLogback();
  }

  private static final Logger LOG = LoggerFactory.getLogger(SagaCohortLabelsTest.class);

  @TempDir Path dir;

  private static final WorkflowDefinition<String, String> ORDER =
      WorkflowDefinition.builder(
              "order",
              String.class,
              String.class,
              (wf, in) -> {
                wf.step(
                    "reserve",
                    String.class,
                    s -> {
                      LOG.info("reserve {}", in);
                      return "r";
                    });
                wf.awaitSignal("go", "go", String.class, Duration.ofHours(1));
                return wf.step(
                    "charge",
                    String.class,
                    s -> {
                      LOG.info("charge {}", in);
                      return "charged " + in;
                    });
              })
          .build();

  private static SagaEngine engine(SagaStore store, LabelTelemetry t, String executor) {
    return SagaEngine.builder(store)
        .register(ORDER)
        .executorId(executor)
        .poll(Duration.ofMillis(20))
        .telemetry(t)
        .build();
  }

  private static void start(SagaEngine engine, String runId, String experiment) {
    Context c = Context.root().withCorrelationId(runId);
    Context starter = experiment == null ? c : c.withBaggage("chaos.experiment", experiment);
    starter.run(() -> engine.start(ORDER, runId, runId));
  }

  /** Waits (real time, bounded) until the run's status is {@code status}. */
  private static void awaitStatus(SagaEngine engine, String runId, RunStatus status) {
    long limit = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (engine.run(runId).map(v -> v.status() != status).orElse(true)) {
      if (System.nanoTime() - limit > 0) {
        throw new AssertionError(runId + " never reached " + status + ": " + engine.run(runId));
      }
      Thread.onSpinWait();
    }
  }

  private static RecordingTelemetry.Span span(LabelTelemetry t, String name, String runId) {
    List<RecordingTelemetry.Span> found =
        t.spans.spansNamed(name).stream().filter(s -> runId.equals(s.correlationId())).toList();
    assertThat(found).as("spans %s of %s", name, runId).hasSize(1);
    return found.getFirst();
  }

  @Test
  void aRunStartedInACohortKeepsItsLabelAfterItsEngineIsGone() throws Exception {
    String hostile = "exp-1\u202e<b onclick=1>";
    try (ChaosFixture fx = new ChaosFixture();
        LabelTelemetry t = new LabelTelemetry()) {
      SagaStore store = SagaStores.sqlite(dir.resolve("sagas.db"));
      try {
        fx.chaos.start(
            new FaultSpec(
                Fault.Latency.of(Duration.ofMillis(1)),
                BlastRadius.builder().points(FaultPointKind.USER).route("never-reached").build(),
                Duration.ofMinutes(10),
                "exp-1",
                0));
        SagaEngine first = engine(store, t, "executor-1");
        start(first, "coh-1", "exp-1");
        start(first, "ctl-1", null);
        start(first, "hos-1", hostile);
        for (String id : List.of("coh-1", "ctl-1", "hos-1")) {
          awaitStatus(first, id, RunStatus.WAITING);
        }
        first.close(); // the engine that started the runs is gone

        SagaEngine second = engine(store, t, "executor-2");
        try {
          for (String id : List.of("coh-1", "ctl-1", "hos-1")) {
            second.signal(id, "go", "now"); // from outside any cohort
          }
          for (String id : List.of("coh-1", "ctl-1", "hos-1")) {
            assertThat(second.handle(id, String.class).await(Duration.ofSeconds(30)))
                .isEqualTo("charged " + id);
          }
          Map<String, String> want =
              Map.of("coh-1", "exp-1", "ctl-1", ChaosCohort.CONTROL, "hos-1", ChaosCohort.OTHER);
          want.forEach(
              (id, cohort) -> {
                // before the restart and after it, on the new engine
                assertThat(span(t, "saga.step reserve", id).attributes())
                    .containsEntry(ChaosCohort.SPAN_ATTRIBUTE, cohort);
                assertThat(span(t, "saga.step charge", id).attributes())
                    .containsEntry(ChaosCohort.SPAN_ATTRIBUTE, cohort);
                assertThat(LogCapture.exactly("reserve " + id).cohort()).isEqualTo(cohort);
                assertThat(LogCapture.exactly("charge " + id).cohort()).isEqualTo(cohort);
              });
          assertThat(
                  t.spans.spansNamed("saga.run").stream()
                      .filter(s -> "coh-1".equals(s.correlationId()))
                      .map(s -> s.attributes().get(ChaosCohort.SPAN_ATTRIBUTE))
                      .distinct())
              .containsExactly("exp-1");
          Map<String, Long> one =
              Map.of("exp-1", 1L, ChaosCohort.CONTROL, 1L, ChaosCohort.OTHER, 1L);
          assertThat(t.cohortCounts("dependency", "saga.order.reserve")).isEqualTo(one);
          assertThat(t.cohortCounts("dependency", "saga.order.charge")).isEqualTo(one);
          assertThat(t.cohortCounts("endpoint", "saga.order")).isEqualTo(one);
          assertThat(t.metrics.scrapePrometheus()).doesNotContain("onclick");

          // no fault active: a run in the same cohort is not labelled
          fx.chaos.clearAll();
          start(second, "after-1", "exp-1");
          awaitStatus(second, "after-1", RunStatus.WAITING);
          second.signal("after-1", "go", "now");
          assertThat(second.handle("after-1", String.class).await(Duration.ofSeconds(30)))
              .isEqualTo("charged after-1");
          assertThat(span(t, "saga.step charge", "after-1").attributes())
              .doesNotContainKey(ChaosCohort.SPAN_ATTRIBUTE);
          assertThat(LogCapture.exactly("charge after-1").mdc())
              .doesNotContainKey(ChaosCohort.LABEL);
          assertThat(t.cohortCounts("endpoint", "saga.order")).isEqualTo(one);
          assertThat(t.total("endpoint", "saga.order")).isEqualTo(4);
        } finally {
          second.close();
        }
      } finally {
        store.close();
      }
    }
  }
}
