package io.bulwark.events.internal.kafka;

import io.bulwark.core.context.Context;
import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.telemetry.HopSpans;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.events.BufferFullException;
import io.bulwark.events.EventLogException;
import io.bulwark.events.EventLogTimeoutException;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Partitioner;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.ProducerFencedException;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.TopicPartition;
import io.bulwark.events.internal.EventFaults;
import io.bulwark.events.internal.ProducerBuffer;
import io.bulwark.events.internal.ProducerSpans;
import io.bulwark.events.internal.RecordContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/** {@link Producer} on a {@link KafkaProducer}: acks=all, idempotent, optionally transactional. */
final class KafkaProducerAdapter implements Producer {

  private final KafkaEventLog log;
  private final ProducerConfig config;
  private final KafkaProducer<byte[], byte[]> producer;
  private final ProducerBuffer buffer;
  private final AtomicInteger roundRobin = new AtomicInteger();

  KafkaProducerAdapter(KafkaEventLog log, ProducerConfig config) {
    this.log = log;
    this.config = config;
    Map<String, Object> p = log.baseProperties();
    p.put("acks", "all");
    p.put("enable.idempotence", Boolean.toString(config.idempotent()));
    p.put("max.block.ms", Long.toString(config.maxBlock().toMillis()));
    String txnId = config.transactionalId();
    if (txnId != null) {
      p.put("transactional.id", txnId);
    }
    p.putAll(log.overrides());
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.buffer = new ProducerBuffer(config);
    if (txnId != null) {
      try {
        producer.initTransactions();
      } catch (KafkaException e) {
        producer.close(Duration.ZERO);
        throw translate("initTransactions for '" + txnId + "'", e);
      }
    }
  }

  @Override
  public CompletableFuture<RecordMetadata> send(OutgoingRecord record) {
    int partition = partitionOf(record);
    FaultInjector fi = FaultPoints.injector();
    if (fi == null) {
      return send(record, partition, null, null);
    }
    FaultAction fault = EventFaults.produce(fi, record.topic(), partition);
    CompletableFuture<RecordMetadata> result = send(record, partition, fi, fault);
    for (int i = EventFaults.produceCopies(fault); i > 0; i--) {
      var unused = send(record, partition, fi, fault);
    }
    return result;
  }

  private CompletableFuture<RecordMetadata> send(
      OutgoingRecord record,
      int partition,
      @Nullable FaultInjector fi,
      @Nullable FaultAction fault) {
    if (fi == null || fault == null) {
      buffer.acquire(record.topic()); // before the span, as it always was
    }
    TelemetrySpan span = HopSpans.producer(config.tracing(), Context.current(), record.topic());
    CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
    CompletableFuture<RecordMetadata> result = ProducerSpans.endWhenDone(span, future);
    if (fi != null && fault != null) {
      if (EventFaults.failsProduce(fi, fault, span, future)) {
        return result; // nothing sent, no buffer slot taken
      }
      try {
        buffer.acquire(record.topic());
      } catch (RuntimeException e) {
        future.completeExceptionally(e); // ends the span; the caller gets the exception
        throw e;
      }
    }
    ProducerRecord<byte[], byte[]> pr =
        new ProducerRecord<>(
            record.topic(),
            partition,
            record.timestampMillis() >= 0 ? record.timestampMillis() : null,
            record.key(),
            record.value(),
            headers(record, span.context()));
    try {
      // the callback completes the result; the client's own future adds nothing
      var unused =
          producer.send(
              pr,
              (m, e) -> {
                buffer.release();
                if (e != null) {
                  future.completeExceptionally(translate("send to " + record.topic(), e));
                } else {
                  future.complete(
                      new RecordMetadata(m.topic(), m.partition(), m.offset(), m.timestamp()));
                }
              });
    } catch (RuntimeException e) { // KafkaException, or e.g. IllegalStateException after close
      buffer.release();
      RuntimeException failed =
          e instanceof KafkaException ? translate("send to " + record.topic(), e) : e;
      future.completeExceptionally(failed);
      throw failed;
    }
    return result;
  }

  private int partitionOf(OutgoingRecord record) {
    int n = log.partitionCount(record.topic());
    if (record.partition() >= 0) {
      if (record.partition() >= n) {
        throw new IllegalArgumentException(
            "partition "
                + record.partition()
                + " does not exist: topic '"
                + record.topic()
                + "' has "
                + n);
      }
      return record.partition();
    }
    byte[] key = record.key();
    // keyless records are spread round robin here, as on the embedded log: left to Kafka, its
    // sticky partitioner would send a whole batch of them to one partition
    return key == null
        ? Math.floorMod(roundRobin.getAndIncrement(), n)
        : Partitioner.partitionFor(key, n);
  }

  private List<org.apache.kafka.common.header.Header> headers(
      OutgoingRecord record, Context sender) {
    Map<String, String> merged =
        config.propagateContext()
            ? RecordContext.headers(sender, log.clock(), record.headers())
            : record.headers().asMap();
    List<org.apache.kafka.common.header.Header> out = new ArrayList<>(merged.size());
    merged.forEach((k, v) -> out.add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
    return out;
  }

  @Override
  public void flush() {
    producer.flush();
  }

  @Override
  public void beginTransaction() {
    kafka("beginTransaction", producer::beginTransaction);
  }

  @Override
  public void sendOffsetsToTransaction(Map<TopicPartition, Long> offsets, String groupId) {
    kafka(
        "sendOffsetsToTransaction",
        () ->
            producer.sendOffsetsToTransaction(
                toKafka(offsets), new ConsumerGroupMetadata(groupId)));
  }

  @Override
  public void sendOffsetsToTransaction(
      Map<TopicPartition, Long> offsets, io.bulwark.events.Consumer consumer) {
    if (!(consumer instanceof KafkaConsumerAdapter member)) {
      throw new IllegalArgumentException(
          "consumer must belong to the same Kafka log, got " + consumer.getClass().getName());
    }
    kafka(
        "sendOffsetsToTransaction",
        () -> producer.sendOffsetsToTransaction(toKafka(offsets), member.groupMetadata()));
  }

  private static Map<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> toKafka(
      Map<TopicPartition, Long> offsets) {
    Map<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> kafkaOffsets = new HashMap<>();
    offsets.forEach(
        (tp, o) ->
            kafkaOffsets.put(
                new org.apache.kafka.common.TopicPartition(tp.topic(), tp.partition()),
                new OffsetAndMetadata(o)));
    return kafkaOffsets;
  }

  @Override
  public void commitTransaction() {
    kafka("commitTransaction", producer::commitTransaction);
  }

  @Override
  public void abortTransaction() {
    kafka("abortTransaction", producer::abortTransaction);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(30));
  }

  /** Runs one producer call, turning Kafka's exceptions into Bulwark's. */
  private static void kafka(String what, Runnable call) {
    try {
      call.run();
    } catch (KafkaException e) {
      throw translate(what, e);
    }
  }

  /**
   * The fencing error in {@code e}'s cause chain: after a producer was fenced, the Kafka client
   * reports later calls as "in an error state" with the fencing error as their cause.
   */
  private static @Nullable Throwable fencedCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.apache.kafka.common.errors.ProducerFencedException
          || t instanceof org.apache.kafka.common.errors.InvalidProducerEpochException) {
        return t;
      }
    }
    return null;
  }

  static RuntimeException translate(String what, Exception e) {
    Throwable fenced = fencedCause(e);
    if (fenced != null) {
      return new ProducerFencedException(
          what + ": fenced by a newer producer: " + fenced.getMessage(), e);
    }
    if (e instanceof org.apache.kafka.clients.producer.BufferExhaustedException) {
      return new BufferFullException(
          what + ": the Kafka client's buffer is full: " + e.getMessage());
    }
    if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
      return new EventLogTimeoutException(what + ": not confirmed in time: " + e.getMessage(), e);
    }
    return new EventLogException(what + " failed: " + e, e);
  }
}
