package io.bulwark.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.context.TraceContext;
import io.bulwark.events.testing.CollectedSpans;
import io.bulwark.resilience.Retry;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.test.VirtualClock;
import io.bulwark.test.VirtualScheduler;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dead-letter step handles each record in a {@code CONSUMER} span: its handler runs under the
 * sender's context with a span id of its own, and a record sent to the dead-letter topic is sent
 * from within that span.
 */
class DeadLetterSpansTest {
  private static final ContextHeaders CODEC = ContextHeaders.builder().build();

  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  @Test
  void eachRecordIsHandledInAConsumerSpanAndItsDeadLetterIsSentFromIt() throws Exception {
    CollectedSpans spans = new CollectedSpans();
    try (BulwarkTelemetry telemetry = spans.telemetry("billing");
        EventLog log = EventLogs.embedded(EmbeddedLogConfig.builder(dir).build());
        Producer producer =
            log.producer(ProducerConfig.builder().tracing(telemetry.tracing()).build());
        Consumer consumer = log.consumer(ConsumerConfig.builder("billing").build());
        Consumer dlt = log.consumer(ConsumerConfig.builder("dlt-reader").build())) {
      log.createTopic(TopicSpec.of("orders", 1));
      log.createTopic(TopicSpec.of("orders.dlt", 1));
      TraceContext sender = TraceContext.newTrace(true);
      Context.root()
          .withTrace(sender)
          .withCorrelationId("order-7")
          .run(
              () ->
                  producer
                      .send(OutgoingRecord.of("orders", "k", "poison", Serdes.string()))
                      .join());
      consumer.subscribe(List.of("orders"));
      Map<String, Context> seen = new ConcurrentHashMap<>();
      DeadLetterProcessor processor =
          DeadLetterProcessor.builder(
                  consumer,
                  producer,
                  r -> {
                    seen.put(r.value(Serdes.string()), Context.current());
                    throw new IllegalStateException("unparseable order");
                  })
              .maxAttempts(2)
              .tracing(telemetry.tracing())
              .build();
      int deadLettered = 0;
      for (int i = 0; i < 100 && seen.isEmpty(); i++) {
        deadLettered += processor.processOnce(Duration.ofMillis(100));
      }
      assertThat(deadLettered).isEqualTo(1);

      SpanData consumerSpan = spans.only(SpanKind.CONSUMER);
      List<SpanData> sends =
          spans.all().stream().filter(s -> s.getKind() == SpanKind.PRODUCER).toList();
      assertThat(sends).hasSize(2);
      SpanData original = sends.get(0);
      SpanData deadLetterSend = sends.get(1);
      assertThat(consumerSpan.getTraceId()).isEqualTo(sender.traceId());
      assertThat(consumerSpan.getParentSpanId()).isEqualTo(original.getSpanId());
      assertThat(consumerSpan.getLinks()).hasSize(1);
      assertThat(consumerSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(deadLetterSend.getParentSpanId())
          .as("the dead letter is sent from within the consumer span")
          .isEqualTo(consumerSpan.getSpanId());

      Context handlerContext = Objects.requireNonNull(seen.get("poison"));
      assertThat(handlerContext.correlationId()).isEqualTo("order-7");
      assertThat(Objects.requireNonNull(handlerContext.trace()).spanId())
          .isEqualTo(consumerSpan.getSpanId());

      dlt.subscribe(List.of("orders.dlt"));
      List<EventRecord> dead = new ArrayList<>();
      for (int i = 0; i < 100 && dead.isEmpty(); i++) {
        dead.addAll(dlt.poll(Duration.ofMillis(100)));
      }
      assertThat(dead).hasSize(1);
      assertThat(Objects.requireNonNull(dead.get(0).context(CODEC).trace()).spanId())
          .as("the dead letter carries its own send's span id")
          .isEqualTo(deadLetterSend.getSpanId());
      assertThat(telemetry.tracing().openSpans()).isZero();
    }
  }

  @Test
  void aRecordWithMalformedContextHeadersIsStillHandledAndCommitted() throws Exception {
    try (EventLog log = EventLogs.embedded(EmbeddedLogConfig.builder(dir).build());
        Producer producer = log.producer(ProducerConfig.builder().propagateContext(false).build());
        Consumer consumer = log.consumer(ConsumerConfig.builder("billing").build())) {
      log.createTopic(TopicSpec.of("orders", 1));
      producer
          .send(
              OutgoingRecord.builder("orders")
                  .header("traceparent", "00-not-a-trace")
                  .value("fine", Serdes.string())
                  .build())
          .join();
      consumer.subscribe(List.of("orders"));
      List<Context> seen = new ArrayList<>();
      DeadLetterProcessor processor =
          DeadLetterProcessor.builder(consumer, producer, r -> seen.add(Context.current())).build();
      int deadLettered = 0;
      for (int i = 0; i < 100 && seen.isEmpty(); i++) {
        deadLettered += processor.processOnce(Duration.ofMillis(100));
      }
      assertThat(deadLettered).isZero();
      assertThat(seen).hasSize(1);
      assertThat(seen.get(0).correlationId()).as("no sender context restored").isNull();
      assertThat(consumer.committed(new TopicPartition("orders", 0))).hasValue(1L);
    }
  }

  @Test
  void aRecordConsumedAfterItsSendersDeadlineIsStillHandledAndTellsItExpired() throws Exception {
    VirtualClock senderClock = new VirtualClock();
    try (EventLog log = EventLogs.embedded(EmbeddedLogConfig.builder(dir).build());
        Producer producer = log.producer(ProducerConfig.defaults());
        Consumer consumer = log.consumer(ConsumerConfig.builder("billing").build())) {
      log.createTopic(TopicSpec.of("orders", 1));
      log.createTopic(TopicSpec.of("orders.dlt", 1));
      Deadline requestDeadline = Deadline.after(Duration.ofMillis(1), senderClock);
      senderClock.advance(Duration.ofMillis(5)); // the request gave up before its event was read
      Context.root()
          .withDeadline(requestDeadline)
          .run(
              () ->
                  producer.send(OutgoingRecord.of("orders", "k", "late", Serdes.string())).join());
      consumer.subscribe(List.of("orders"));
      List<String> handled = new ArrayList<>();
      List<Boolean> senderExpired = new ArrayList<>();
      DeadLetterProcessor processor =
          DeadLetterProcessor.builder(
                  consumer,
                  producer,
                  r -> {
                    handled.add(r.value(Serdes.string()));
                    assertThat(Context.current().deadline()).isNull();
                    senderExpired.add(
                        Objects.requireNonNull(r.context(CODEC).deadline()).isExpired());
                  })
              .retry(
                  Retry.of(
                      "billing",
                      RetryConfig.builder().maxAttempts(3).build(),
                      new VirtualScheduler()))
              .build();
      int deadLettered = 0;
      for (int i = 0; i < 100 && handled.isEmpty(); i++) {
        deadLettered += processor.processOnce(Duration.ofMillis(100));
      }
      assertThat(deadLettered).as("not dead-lettered for its sender's deadline").isZero();
      assertThat(handled).containsExactly("late");
      assertThat(senderExpired).containsExactly(true);
    }
  }
}
