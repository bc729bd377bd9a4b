package io.bulwark.events.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.telemetry.HopSpans;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.events.Consumer;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Partitioner;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.ProducerFencedException;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.TopicSpec;
import io.bulwark.events.testing.CollectedSpans;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.test.VirtualClock;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link EventLog}, stated once and run against every backend (embedded and Kafka):
 * ordering per key, offsets, rebalance, redelivery after a consumer dies, idempotence, exactly-once
 * consume-transform-produce, seek, headers and context. Subclasses only say how to open a log. Each
 * test uses fresh topic and group names, so a shared broker is fine.
 */
public abstract class EventLogCompatibilityKit extends KitLog {
  /** Makes {@code consumer} die without committing; by default it just leaves. */
  protected void kill(Consumer consumer) {
    consumer.close();
  }

  protected static OutgoingRecord rec(String topic, String key, String value) {
    return OutgoingRecord.of(topic, key, value, Serdes.string());
  }

  /** Polls until {@code count} records arrived (or fails after {@link #WAIT}). */
  protected static List<EventRecord> pollCount(Consumer c, int count) {
    List<EventRecord> out = new ArrayList<>();
    long end = System.nanoTime() + WAIT.toNanos();
    while (out.size() < count) {
      assertThat(System.nanoTime() - end)
          .as("waiting for %d records, got %d", count, out.size())
          .isNegative();
      out.addAll(c.poll(POLL));
    }
    return out;
  }

  /** Polls all {@code consumers} in turn until {@code condition} holds. */
  protected static void pollUntil(
      BooleanSupplier condition, List<EventRecord> sink, Consumer... consumers) {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - end).as("condition not reached in %s", WAIT).isNegative();
      for (Consumer c : consumers) {
        sink.addAll(c.poll(POLL));
      }
    }
  }

  /**
   * Proves that {@code c} has nothing more to deliver from {@code topic}: a marker record goes to
   * each of its {@code partitions}, and the markers must be the next records the consumer sees. A
   * record it should not see (a duplicate, a redelivery, an aborted write) sits before the marker
   * of its partition, so it arrives first and fails the check; no quiet period is waited for.
   */
  protected void assertNothingBeforeMarkers(Consumer c, String topic, int partitions) {
    Producer markers = producer(ProducerConfig.defaults());
    List<String> sent = new ArrayList<>();
    for (int part = 0; part < partitions; part++) {
      String marker = "marker-" + part + "-" + suffix;
      markers
          .send(
              OutgoingRecord.builder(topic)
                  .partition(part)
                  .key("marker")
                  .value(marker, Serdes.string())
                  .build())
          .join();
      sent.add(marker);
    }
    assertThat(pollCount(c, partitions))
        .extracting(r -> value(r))
        .as("the records delivered up to the markers")
        .containsExactlyInAnyOrderElementsOf(sent);
  }

  private static String value(EventRecord r) {
    return r.value(Serdes.string());
  }

  @Test
  void recordsOfOneKeyStayInOrderInTheKeysPartition() {
    String t = topic("order", 3);
    Producer p = producer(ProducerConfig.defaults());
    List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      for (int k = 0; k < 6; k++) {
        acks.add(p.send(rec(t, "key-" + k, "key-" + k + ":" + i)));
      }
    }
    acks.forEach(CompletableFuture::join);
    Consumer c = consumer(group("order"), t);
    List<EventRecord> records = pollCount(c, 240);
    Map<String, Integer> last = new HashMap<>();
    for (EventRecord r : records) {
      String key = r.key(Serdes.string());
      assertThat(r.partition()).isEqualTo(Partitioner.partitionFor(r.key(), 3));
      int seq = Integer.parseInt(value(r).split(":", -1)[1]);
      assertThat(seq).as("order of %s", key).isEqualTo(last.getOrDefault(key, -1) + 1);
      last.put(key, seq);
    }
    assertThat(last).hasSize(6).allSatisfy((k, v) -> assertThat(v).isEqualTo(39));
  }

  @Test
  void acknowledgedOffsetsAreConsecutiveAndCommittedOffsetsResume() {
    String t = topic("offsets", 1);
    Producer p = producer(ProducerConfig.defaults());
    List<Long> offsets = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      offsets.add(p.send(rec(t, "k", "v" + i)).join().offset());
    }
    assertThat(offsets)
        .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 20).boxed().toList());
    String g = group("offsets");
    Consumer first = consumer(g, t);
    List<EventRecord> all = pollCount(first, 20);
    assertThat(all).extracting(EventRecord::offset).containsExactlyElementsOf(offsets);
    TopicPartition tp = new TopicPartition(t, 0);
    first.commitSync(Map.of(tp, 12L));
    assertThat(first.committed(tp)).hasValue(12L);
    first.close();
    Consumer second = consumer(g, t);
    List<EventRecord> rest = pollCount(second, 8);
    assertThat(rest)
        .extracting(EventRecord::offset)
        .containsExactly(12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
  }

  @Test
  void membersSharePartitionsAndRebalanceWhenOneLeaves() {
    String t = topic("rebalance", 4);
    String g = group("rebalance");
    List<EventRecord> sink = new ArrayList<>();
    Consumer a = consumer(g, t);
    pollUntil(() -> a.assignment().size() == 4, sink, a);
    Consumer b = consumer(g, t);
    pollUntil(() -> a.assignment().size() == 2 && b.assignment().size() == 2, sink, a, b);
    Set<TopicPartition> union = new HashSet<>(a.assignment());
    union.addAll(b.assignment());
    assertThat(union).hasSize(4);
    b.close();
    pollUntil(() -> a.assignment().size() == 4, sink, a);
  }

  @Test
  void uncommittedRecordsAreRedeliveredAfterAConsumerDies() {
    String t = topic("redeliver", 2);
    Producer p = producer(ProducerConfig.defaults());
    for (int i = 0; i < 10; i++) {
      p.send(rec(t, "k" + i, "v" + i)).join();
    }
    String g = group("redeliver");
    Consumer a = consumer(g, t);
    List<EventRecord> seen = pollCount(a, 10);
    // commit only partition 0's progress, then die
    TopicPartition p0 = new TopicPartition(t, 0);
    long committed = seen.stream().filter(r -> r.partition() == 0).count();
    a.commitSync(Map.of(p0, committed));
    kill(a);
    Consumer b = consumer(g, t);
    long uncommitted = seen.stream().filter(r -> r.partition() == 1).count();
    assertThat(uncommitted).as("records of the uncommitted partition").isPositive();
    List<EventRecord> again = pollCount(b, (int) uncommitted);
    assertThat(again).allSatisfy(r -> assertThat(r.partition()).isEqualTo(1));
    assertThat(again)
        .extracting(EventRecord::topicPartition, EventRecord::offset)
        .containsExactlyInAnyOrderElementsOf(
            seen.stream()
                .filter(r -> r.partition() == 1)
                .map(r -> org.assertj.core.groups.Tuple.tuple(r.topicPartition(), r.offset()))
                .toList());
    assertNothingBeforeMarkers(b, t, 2);
  }

  @Test
  void seekMovesByOffsetAndByTime() {
    String t = topic("seek", 1);
    Producer p = producer(ProducerConfig.defaults());
    long t0 = 1_700_000_000_000L;
    for (int i = 0; i < 10; i++) {
      p.send(
              OutgoingRecord.builder(t)
                  .key("k")
                  .value("v" + i, Serdes.string())
                  .timestampMillis(t0 + i * 1000L)
                  .build())
          .join();
    }
    Consumer c = consumer(group("seek"), t);
    pollCount(c, 10);
    TopicPartition tp = new TopicPartition(t, 0);
    c.seek(tp, 5);
    assertThat(pollCount(c, 5).get(0).offset()).isEqualTo(5);
    c.seekToTime(tp, Instant.ofEpochMilli(t0 + 6500));
    EventRecord r = pollCount(c, 3).get(0);
    assertThat(r.offset()).isEqualTo(7);
    assertThat(r.timestampMillis()).isEqualTo(t0 + 7000);
    c.seekToTime(tp, Instant.ofEpochMilli(t0 + 60_000));
    assertThat(c.position(tp)).isEqualTo(10);
  }

  @Test
  void idempotentProducerStoresEachRecordOnceInSendOrderUnderConcurrency() throws Exception {
    String t = topic("idem", 1);
    Producer p = producer(ProducerConfig.builder().idempotent(true).build());
    int threads = 4;
    int each = 150;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    for (int th = 0; th < threads; th++) {
      int id = th;
      done.add(
          pool.submit(
              () -> {
                start.await();
                List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                  acks.add(p.send(rec(t, "k", id + ":" + i)));
                }
                acks.forEach(CompletableFuture::join);
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    Consumer c = consumer(group("idem"), t);
    List<EventRecord> all = pollCount(c, threads * each);
    assertNothingBeforeMarkers(c, t, 1);
    assertThat(
            all.stream()
                .map(EventRecord::value)
                .map(v -> new String(v, StandardCharsets.UTF_8))
                .distinct()
                .count())
        .isEqualTo((long) threads * each);
    Map<String, Integer> last = new HashMap<>();
    for (EventRecord r : all) {
      String[] parts = value(r).split(":", -1);
      int seq = Integer.parseInt(parts[1]);
      assertThat(seq).isEqualTo(last.getOrDefault(parts[0], -1) + 1);
      last.put(parts[0], seq);
    }
  }

  @Test
  void consumeTransformProduceIsExactlyOnceAcrossAnAbortedTransaction() {
    String in = topic("eos-in", 2);
    String out = topic("eos-out", 2);
    Producer p = producer(ProducerConfig.defaults());
    for (int i = 0; i < 20; i++) {
      p.send(rec(in, "k" + i, "n" + i)).join();
    }
    String g = group("eos");
    Producer tx = producer(ProducerConfig.builder().transactionalId("tx-" + g).build());
    Consumer c = consumer(g, in);
    boolean failedOnce = false;
    int processed = 0;
    long end = System.nanoTime() + WAIT.toNanos();
    while (processed < 20) {
      assertThat(System.nanoTime() - end).isNegative();
      List<EventRecord> batch = c.poll(POLL);
      if (batch.isEmpty()) {
        continue;
      }
      tx.beginTransaction();
      Map<TopicPartition, Long> next = new HashMap<>();
      List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
      for (EventRecord r : batch) {
        sends.add(tx.send(rec(out, r.key(Serdes.string()), value(r).toUpperCase(Locale.ROOT))));
        next.put(r.topicPartition(), r.offset() + 1);
      }
      tx.sendOffsetsToTransaction(next, c);
      if (!failedOnce) {
        failedOnce = true;
        tx.abortTransaction(); // the "crash": outputs and offsets are discarded together
        for (TopicPartition tp : c.assignment()) {
          c.seek(tp, c.committed(tp).orElse(0L));
        }
        continue;
      }
      tx.commitTransaction();
      sends.forEach(CompletableFuture::join);
      processed += batch.size();
    }
    Consumer reader = consumer(group("eos-reader"), out);
    List<EventRecord> outputs = pollCount(reader, 20);
    assertNothingBeforeMarkers(reader, out, 2);
    assertThat(outputs)
        .extracting(r -> value(r))
        .containsExactlyInAnyOrderElementsOf(
            java.util.stream.IntStream.range(0, 20).mapToObj(i -> "N" + i).toList());
    long committed = 0;
    for (int part = 0; part < 2; part++) {
      committed += c.committed(new TopicPartition(in, part)).orElse(0L);
    }
    assertThat(committed).isEqualTo(20);
  }

  @Test
  void aNewerTransactionalProducerFencesTheOlderOne() {
    String t = topic("fence", 1);
    String id = "fence-" + suffix;
    Producer old = producer(ProducerConfig.builder().transactionalId(id).build());
    old.beginTransaction();
    var unused = old.send(rec(t, "k", "zombie")); // fenced below: its outcome is not the point
    Producer fresh = producer(ProducerConfig.builder().transactionalId(id).build());
    assertThatThrownBy(old::commitTransaction).isInstanceOf(ProducerFencedException.class);
    fresh.beginTransaction();
    CompletableFuture<RecordMetadata> live = fresh.send(rec(t, "k", "live"));
    fresh.commitTransaction();
    live.join();
    Consumer c = consumer(group("fence"), t);
    assertThat(pollCount(c, 1)).extracting(r -> value(r)).containsExactly("live");
    assertNothingBeforeMarkers(c, t, 1);
  }

  /** A JSON payload. */
  public record OrderPlaced(String orderId, int quantity) {}

  @Test
  void headersJsonValuesAndTheSendersContextTravelWithTheRecord() {
    String t = topic("ctx", 1);
    Producer p = producer(ProducerConfig.defaults());
    Context.root()
        .withCorrelationId("corr-42")
        .run(
            () ->
                p.send(
                        OutgoingRecord.builder(t)
                            .key("o-1")
                            .value(new OrderPlaced("o-1", 3), Serdes.json(OrderPlaced.class))
                            .header("type", "OrderPlaced")
                            .build())
                    .join());
    Consumer c = consumer(group("ctx"), t);
    EventRecord r = pollCount(c, 1).get(0);
    assertThat(r.value(Serdes.json(OrderPlaced.class))).isEqualTo(new OrderPlaced("o-1", 3));
    assertThat(r.headers().get("type")).isEqualTo("OrderPlaced");
    assertThat(r.context(ContextHeaders.builder().build()).correlationId()).isEqualTo("corr-42");
  }

  @Test
  void keylessRecordsOfOneProducerGoRoundRobinOverThePartitions() {
    String t = topic("keyless", 3);
    Producer p = producer(ProducerConfig.defaults());
    List<Integer> partitions = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      partitions.add(
          p.send(OutgoingRecord.builder(t).value("v" + i, Serdes.string()).build())
              .join()
              .partition());
    }
    for (int i = 1; i < partitions.size(); i++) {
      assertThat(partitions.get(i))
          .as("partition of keyless record %d after %s", i, partitions)
          .isEqualTo((partitions.get(i - 1) + 1) % 3);
    }
  }

  @Test
  void aRecordForwardedWithItsHeadersCarriesItsOwnSendsSpanNotTheCopiedOne() {
    String in = topic("forward-in", 1);
    String out = topic("forward-out", 1);
    Producer p = producer(ProducerConfig.defaults());
    TraceContext origin = TraceContext.newTrace(true);
    Context.root()
        .withTrace(origin)
        .run(
            () ->
                p.send(
                        OutgoingRecord.builder(in)
                            .header("tenant", "acme")
                            .value("v", Serdes.string())
                            .build())
                    .join());
    EventRecord original = pollCount(consumer(group("forward-in"), in), 1).get(0);
    ContextHeaders codec = ContextHeaders.builder().build();
    TraceContext originalSend = java.util.Objects.requireNonNull(original.context(codec).trace());

    TraceContext forwarder = TraceContext.newTrace(true);
    OutgoingRecord.Builder copy = OutgoingRecord.builder(out).value("v", Serdes.string());
    original.headers().asMap().forEach(copy::header);
    Context.root().withTrace(forwarder).run(() -> p.send(copy.build()).join());
    EventRecord forwarded = pollCount(consumer(group("forward-out"), out), 1).get(0);

    TraceContext forwardedSend = java.util.Objects.requireNonNull(forwarded.context(codec).trace());
    assertThat(forwardedSend.traceId()).isEqualTo(forwarder.traceId());
    assertThat(forwardedSend.spanId()).isNotIn(originalSend.spanId(), forwarder.spanId());
    assertThat(forwarded.headers().get("tenant")).isEqualTo("acme");
  }

  @Test
  void aSendIsAHopOfItsOwnTheRecordCarriesAFreshSpanIdOfTheSendersTrace() {
    String t = topic("span-ids", 1);
    Producer p = producer(ProducerConfig.defaults());
    TraceContext sender = TraceContext.newTrace(true);
    Context.root().withTrace(sender).run(() -> p.send(rec(t, "k", "a")).join());
    Context.root().withTrace(sender).run(() -> p.send(rec(t, "k", "b")).join());
    List<EventRecord> records = pollCount(consumer(group("span-ids"), t), 2);
    ContextHeaders codec = ContextHeaders.builder().build();
    TraceContext first = java.util.Objects.requireNonNull(records.get(0).context(codec).trace());
    TraceContext second = java.util.Objects.requireNonNull(records.get(1).context(codec).trace());
    assertThat(List.of(first.traceId(), second.traceId())).containsOnly(sender.traceId());
    assertThat(List.of(sender.spanId(), first.spanId(), second.spanId())).doesNotHaveDuplicates();
    assertThat(first.isSampled()).isTrue();
  }

  @Test
  void aSendIsAProducerSpanAndProcessingTheRecordIsAConsumerSpanLinkedToIt() throws Exception {
    CollectedSpans exported = new CollectedSpans();
    BulwarkTelemetry telemetry = exported.telemetry("shop");
    closeables.add(telemetry);
    String t = topic("spans", 2);
    Producer p = producer(ProducerConfig.builder().tracing(telemetry.tracing()).build());
    TelemetrySpan request =
        telemetry
            .tracing()
            .startSpan("POST /orders", io.bulwark.core.telemetry.SpanKind.SERVER, Context.root());
    RecordMetadata sent = request.context().call(() -> p.send(rec(t, "o-1", "placed")).join());
    request.end();

    EventRecord r = pollCount(consumer(group("spans"), t), 1).get(0);
    ContextHeaders codec = ContextHeaders.builder().build();
    TelemetrySpan processing = r.consumerSpan(telemetry.tracing(), codec);
    String seenByHandler = java.util.Objects.requireNonNull(processing.context().trace()).spanId();
    HopSpans.consumerDone(processing, null);

    SpanData server = exported.only(SpanKind.SERVER);
    SpanData producer = exported.only(SpanKind.PRODUCER);
    SpanData consumer = exported.only(SpanKind.CONSUMER);
    assertThat(List.of(producer.getTraceId(), consumer.getTraceId()))
        .containsOnly(server.getTraceId());
    assertThat(producer.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(java.util.Objects.requireNonNull(r.context(codec).trace()).spanId())
        .isEqualTo(producer.getSpanId());
    assertThat(consumer.getParentSpanId()).isEqualTo(producer.getSpanId());
    assertThat(consumer.getLinks()).hasSize(1);
    assertThat(consumer.getLinks().get(0).getSpanContext().getSpanId())
        .isEqualTo(producer.getSpanId());
    assertThat(consumer.getSpanId()).isEqualTo(seenByHandler);
    assertThat(producer.getName()).isEqualTo("send " + t);
    assertThat(producer.getAttributes().asMap().toString())
        .contains(
            "messaging.destination.name=" + t,
            "messaging.destination.partition.id=" + sent.partition(),
            "bulwark.events.offset=" + sent.offset());
    assertThat(consumer.getAttributes().asMap().toString())
        .contains("messaging.operation.type=process", "bulwark.events.offset=" + r.offset());
    assertThat(telemetry.tracing().openSpans()).isZero();
  }

  @Test
  void aRecordReadAfterItsSendersDeadlinePassedHasAnExpiredDeadline() {
    String t = topic("deadline", 1);
    Producer p = producer(ProducerConfig.defaults());
    VirtualClock senderClock = new VirtualClock();
    long sentFrom = System.currentTimeMillis();
    Context.root()
        .withDeadline(Deadline.after(Duration.ofSeconds(5), senderClock))
        .run(() -> p.send(rec(t, "k", "v")).join());
    long sentUntil = System.currentTimeMillis();
    EventRecord r = pollCount(consumer(group("deadline"), t), 1).get(0);

    VirtualClock soonAfter = new VirtualClock(Instant.ofEpochMilli(sentFrom + 1_000));
    Deadline early =
        r.context(ContextHeaders.builder().clock(soonAfter).build(), soonAfter).deadline();
    assertThat(early).isNotNull();
    assertThat(early.remaining())
        .isBetween(Duration.ofSeconds(4), Duration.ofMillis(4_000 + sentUntil - sentFrom));

    VirtualClock afterIt = new VirtualClock(Instant.ofEpochMilli(sentUntil + 5_001));
    Deadline late = r.context(ContextHeaders.builder().clock(afterIt).build(), afterIt).deadline();
    assertThat(late).isNotNull();
    assertThat(late.isExpired()).isTrue();
    assertThat(r.context(ContextHeaders.builder().build()).deadline()).isNotNull();
  }

  @Test
  void headerNamesAndValuesRoundTripExactlyAndUnencodableOnesAreRejectedAtSend() {
    String t = topic("headers", 1);
    Producer p = producer(ProducerConfig.defaults());
    Map<String, String> sent = new java.util.LinkedHashMap<>();
    sent.put("ascii", "plain");
    sent.put("empty", "");
    sent.put("grüße-名前", "ünïcødé ✓ 🚀 \u0000 end");
    OutgoingRecord.Builder b = OutgoingRecord.builder(t).value("v", Serdes.string());
    sent.forEach(b::header);
    p.send(b.build()).join();
    EventRecord r = pollCount(consumer(group("headers"), t), 1).get(0);
    assertThat(r.headers().asMap()).containsExactlyEntriesOf(sent);

    assertThatThrownBy(
            () -> OutgoingRecord.builder(t).header("bad", "x\uD800y").value("v", Serdes.string()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header 'bad'")
        .hasMessageContaining("index 1");
    assertThatThrownBy(() -> OutgoingRecord.builder(t).header("\uDC00", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header name");
  }

  @Test
  void aRecordThatKeepsFailingGoesToTheDeadLetterTopicWithItsCause() {
    String t = topic("dlq", 1);
    log.createTopic(TopicSpec.of(t + ".dlt", 1));
    Producer p = producer(ProducerConfig.defaults());
    for (int i = 0; i < 5; i++) {
      p.send(rec(t, "k", "v" + i)).join();
    }
    Consumer c = consumer(group("dlq"), t);
    int[] calls = new int[5];
    io.bulwark.events.DeadLetterProcessor processor =
        io.bulwark.events.DeadLetterProcessor.builder(
                c,
                p,
                r -> {
                  int i = Integer.parseInt(value(r).substring(1));
                  calls[i]++;
                  if (i == 2) {
                    throw new IllegalStateException("cannot handle v2");
                  }
                })
            .maxAttempts(3)
            .build();
    TopicPartition tp = new TopicPartition(t, 0);
    int dead = 0;
    long end = System.nanoTime() + WAIT.toNanos();
    while (c.committed(tp).orElse(0L) < 5) {
      assertThat(System.nanoTime() - end).isNegative();
      dead += processor.processOnce(POLL);
    }
    assertThat(dead).isEqualTo(1);
    assertThat(calls).containsExactly(1, 1, 3, 1, 1);
    Consumer d = consumer(group("dlq-reader"), t + ".dlt");
    EventRecord r = pollCount(d, 1).get(0);
    assertThat(value(r)).isEqualTo("v2");
    assertThat(r.headers().get(io.bulwark.events.DeadLetterProcessor.DLT_CAUSE))
        .contains("IllegalStateException")
        .contains("cannot handle v2");
    assertThat(r.headers().get(io.bulwark.events.DeadLetterProcessor.DLT_ATTEMPTS)).isEqualTo("3");
    assertThat(r.headers().get(io.bulwark.events.DeadLetterProcessor.DLT_OFFSET)).isEqualTo("2");
    assertThat(r.headers().get(io.bulwark.events.DeadLetterProcessor.DLT_TOPIC)).isEqualTo(t);
  }
}
