package io.bulwark.bench.events;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The anchor: plain kafka-clients against a real broker whose topics fsync every append ({@code
 * flush.messages=1}), producer acks=all and idempotent, as the embedded log's durability.
 */
final class KafkaDriver implements LogDriver {
  private final String bootstrap;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;
  private final int lingerMs;
  private final AtomicInteger topics = new AtomicInteger();

  KafkaDriver(String bootstrap, int lingerMs) {
    this.bootstrap = bootstrap;
    this.lingerMs = lingerMs;
    Properties a = new Properties();
    a.put("bootstrap.servers", bootstrap);
    this.admin = Admin.create(a);
    this.producer = newProducer(bootstrap, lingerMs);
  }

  private static KafkaProducer<byte[], byte[]> newProducer(String bootstrap, int lingerMs) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("linger.ms", Integer.toString(lingerMs));
    p.put("batch.size", Integer.toString(256 * 1024));
    p.put("buffer.memory", Long.toString(128L << 20));
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public String newTopic(String prefix, int partitions) throws Exception {
    String t = prefix + "-" + topics.incrementAndGet() + "-" + System.nanoTime();
    admin
        .createTopics(
            List.of(
                new NewTopic(t, Optional.of(partitions), Optional.empty())
                    .configs(Map.of("flush.messages", "1"))))
        .all()
        .get();
    awaitLeaders(t, partitions);
    return t;
  }

  /**
   * Waits until every partition of a new topic has a working leader, so no send waits for one.
   *
   * <p>Metadata names the leader a little before the broker serves the partition; an idempotent
   * producer whose first batch lands in that window gets NOT_LEADER_OR_FOLLOWER while its later
   * batches, already in flight, may be appended without it, and the retried first batch is then
   * refused as out of order: the producer stalls (records never acknowledged). ListOffsets is
   * answered, like Produce, only by the working leader, so this waits until it succeeds for every
   * partition (as {@code KafkaTestBroker.createTopic} does).
   */
  private void awaitLeaders(String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "topic " + topic + " has partitions without a working leader", e);
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  @Override
  public CompletableFuture<?> send(String topic, byte[] key, byte[] value) {
    return send(producer, topic, 0, key, value);
  }

  private static CompletableFuture<?> send(
      KafkaProducer<byte[], byte[]> producer,
      String topic,
      int partition,
      byte[] key,
      byte[] value) {
    CompletableFuture<Object> f = new CompletableFuture<>();
    producer.send(
        new ProducerRecord<>(topic, partition, key, value),
        (m, e) -> {
          if (e != null) {
            f.completeExceptionally(e);
          } else {
            f.complete(m);
          }
        });
    return f;
  }

  @Override
  public long stored(String topic, int partitions) throws Exception {
    long total = 0;
    for (int p = 0; p < partitions; p++) {
      TopicPartition tp = new TopicPartition(topic, p);
      total +=
          admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
    }
    return total;
  }

  @Override
  public Sender newSender() {
    KafkaProducer<byte[], byte[]> own = newProducer(bootstrap, lingerMs);
    return new Sender() {
      @Override
      public CompletableFuture<?> send(String topic, int partition, byte[] key, byte[] value) {
        return KafkaDriver.send(own, topic, partition, key, value);
      }

      @Override
      public void flush() {
        own.flush();
      }

      @Override
      public void close() {
        own.close();
      }
    };
  }

  @Override
  public void flush() {
    producer.flush();
  }

  @Override
  public AutoCloseable consume(String topic, LongConsumer onRecord) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", "bench-" + topic);
    p.put("auto.offset.reset", "latest");
    p.put("enable.auto.commit", "false");
    p.put("fetch.max.wait.ms", "100");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    while (consumer.assignment().isEmpty()) {
      consumer.poll(Duration.ofMillis(50));
    }
    consumer.seekToEnd(consumer.assignment());
    consumer.assignment().forEach(consumer::position);
    AtomicBoolean running = new AtomicBoolean(true);
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                      onRecord.accept(ByteBuffer.wrap(r.value()).getLong());
                    }
                  }
                  consumer.close();
                });
    return () -> {
      running.set(false);
      t.join();
    };
  }

  @Override
  public void close() {
    producer.close();
    admin.close();
  }
}
