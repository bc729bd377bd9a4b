package io.bulwark.chaos.events;

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
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.ConsumerTelemetry;
import io.bulwark.events.DeadLetterProcessor;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogs;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.TopicSpec;
import io.bulwark.test.RecordingTelemetry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chaos cohort travels with an event: a record produced inside a request of cohort {@code
 * exp-1} carries it in its {@code baggage} header, and while a fault of {@code exp-1} is active the
 * producer span, the consumer span, the handler's log lines and the consumer's RED series ({@code
 * consume.<topic>}) of that record are labelled {@code exp-1}; records of the control carry {@code
 * control}, hostile or malformed baggage {@code other}/{@code control}, and nothing is labelled
 * without an active fault. Real embedded log, real Logback with the stamping appender, real RED
 * series.
 */
class EventCohortLabelsTest {

  @BeforeAll
  static void logback() {
    LabelTelemetry.assumeLogback();
  }

  private static final Logger LOG = LoggerFactory.getLogger(EventCohortLabelsTest.class);
  private static final int N = 10;
  private static final int HOSTILE = 200;

  @TempDir Path dir;

  private static OutgoingRecord record(String topic, String value) {
    return OutgoingRecord.builder(topic)
        .key(value)
        .value(value.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private static void send(Producer p, OutgoingRecord r, String id, String experiment)
      throws Exception {
    Context c = Context.root().withCorrelationId(id);
    Context sender = experiment == null ? c : c.withBaggage("chaos.experiment", experiment);
    sender.call(() -> p.send(r).get());
  }

  private static RecordingTelemetry.Span span(LabelTelemetry t, SpanKind kind, String id) {
    List<RecordingTelemetry.Span> found =
        t.spans.spans(kind).stream().filter(s -> id.equals(s.correlationId())).toList();
    assertThat(found).as("%s spans of %s", kind, id).hasSize(1);
    return found.getFirst();
  }

  @Test
  void aRecordCarriesItsCohortFromProducerToConsumerSpansLogsAndMetrics() throws Exception {
    String topic = "orders";
    try (ChaosFixture fx = new ChaosFixture();
        LabelTelemetry t = new LabelTelemetry()) {
      EventLog log = EventLogs.embedded(EmbeddedLogConfig.builder(dir.resolve("log")).build());
      log.createTopic(TopicSpec.of(topic, 2));
      log.createTopic(TopicSpec.of(topic + ".dlt", 1));
      Producer producer = log.producer(ProducerConfig.builder().tracing(t.tracing()).build());
      Consumer consumer = log.consumer(ConsumerConfig.builder("shipping").build());
      consumer.subscribe(List.of(topic));
      AtomicInteger handled = new AtomicInteger();
      DeadLetterProcessor processor =
          DeadLetterProcessor.builder(
                  consumer,
                  producer,
                  r -> {
                    String v = new String(r.value(), StandardCharsets.UTF_8);
                    LOG.info("consumed {}", v);
                    handled.incrementAndGet();
                    if (v.startsWith("bad")) {
                      throw new IllegalStateException("cannot ship " + v);
                    }
                  })
              .maxAttempts(1)
              .telemetry(t)
              .build();
      try {
        // a fault of exp-1 at a point no record reaches: it labels, it changes nothing
        fx.chaos.start(
            new FaultSpec(
                Fault.Latency.of(Duration.ofMillis(1)),
                BlastRadius.builder().points(FaultPointKind.USER).route("never-reached").build(),
                Duration.ofMinutes(10),
                "exp-1",
                0));
        for (int i = 0; i < N; i++) {
          send(producer, record(topic, "coh-" + i), "coh-" + i, "exp-1");
          send(producer, record(topic, "ctl-" + i), "ctl-" + i, null);
        }
        send(producer, record(topic, "bad-coh"), "bad-coh", "exp-1"); // a cohort error
        for (int i = 0; i < HOSTILE; i++) {
          send(producer, record(topic, "hos-" + i), "hos-" + i, "exp-1\u202e<svg>" + i);
        }
        // a header of the record's own replaces the sender's baggage with a malformed one
        send(
            producer,
            OutgoingRecord.builder(topic)
                .key("mal")
                .value("mal-1".getBytes(StandardCharsets.UTF_8))
                .header("baggage", "chaos.experiment=%zz,=")
                .build(),
            "mal-1",
            "exp-1");
        int total = 2 * N + 1 + HOSTILE + 1;
        for (int i = 0; i < 200 && handled.get() < total; i++) {
          processor.processOnce(Duration.ofMillis(100));
        }
        assertThat(handled).hasValue(total);

        for (int i = 0; i < N; i++) {
          for (String id : List.of("coh-" + i, "ctl-" + i)) {
            String want = id.startsWith("coh") ? "exp-1" : ChaosCohort.CONTROL;
            assertThat(span(t, SpanKind.PRODUCER, id).attributes())
                .containsEntry(ChaosCohort.SPAN_ATTRIBUTE, want);
            assertThat(span(t, SpanKind.CONSUMER, id).attributes())
                .containsEntry(ChaosCohort.SPAN_ATTRIBUTE, want);
            assertThat(LogCapture.exactly("consumed " + id).cohort()).isEqualTo(want);
          }
        }
        for (int i = 0; i < HOSTILE; i += 23) {
          String id = "hos-" + i;
          assertThat(span(t, SpanKind.CONSUMER, id).attributes())
              .containsEntry(ChaosCohort.SPAN_ATTRIBUTE, ChaosCohort.OTHER);
          assertThat(LogCapture.exactly("consumed " + id).cohort()).isEqualTo(ChaosCohort.OTHER);
        }
        // malformed baggage on the record: the consumer treats it as no cohort
        assertThat(LogCapture.exactly("consumed mal-1").cohort()).isEqualTo(ChaosCohort.CONTROL);
        assertThat(
                t.spans.spans().stream()
                    .map(s -> s.attributes().get(ChaosCohort.SPAN_ATTRIBUTE))
                    .distinct())
            .containsExactlyInAnyOrder("exp-1", ChaosCohort.CONTROL, ChaosCohort.OTHER);
        // the consumer side's RED: exact counts and errors per cohort
        assertThat(t.cohortCounts("endpoint", ConsumerTelemetry.PREFIX + topic))
            .isEqualTo(
                Map.of(
                    "exp-1",
                    (long) N + 1,
                    ChaosCohort.CONTROL,
                    (long) N + 1,
                    ChaosCohort.OTHER,
                    (long) HOSTILE));
        assertThat(t.cohortErrors("endpoint", ConsumerTelemetry.PREFIX + topic))
            .isEqualTo(Map.of("exp-1", 1L, ChaosCohort.CONTROL, 0L, ChaosCohort.OTHER, 0L));
        assertThat(t.metrics.scrapePrometheus()).doesNotContain("svg").doesNotContain("\u202e");

        // no fault active: nothing labelled, even with the baggage
        fx.chaos.clearAll();
        send(producer, record(topic, "after-1"), "after-1", "exp-1");
        for (int i = 0; i < 100 && handled.get() < total + 1; i++) {
          processor.processOnce(Duration.ofMillis(100));
        }
        assertThat(span(t, SpanKind.PRODUCER, "after-1").attributes())
            .doesNotContainKey(ChaosCohort.SPAN_ATTRIBUTE);
        assertThat(span(t, SpanKind.CONSUMER, "after-1").attributes())
            .doesNotContainKey(ChaosCohort.SPAN_ATTRIBUTE);
        assertThat(LogCapture.exactly("consumed after-1").mdc())
            .doesNotContainKey(ChaosCohort.LABEL);
        assertThat(t.total("endpoint", ConsumerTelemetry.PREFIX + topic)).isEqualTo(total + 1L);
        assertThat(t.cohortCounts("endpoint", ConsumerTelemetry.PREFIX + topic).values())
            .containsExactlyInAnyOrder((long) N + 1, (long) N + 1, (long) HOSTILE);
      } finally {
        consumer.close();
        producer.close();
        log.close();
      }
    }
  }
}
