package io.bulwark.bench.events;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.events.EmbeddedLogConfig;
import io.bulwark.events.EventLog;
import io.bulwark.events.EventLogListener;
import io.bulwark.events.EventLogs;
import io.bulwark.events.EventRecord;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.TopicSpec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/** The embedded log, fsync per batch (the default durability). */
final class EmbeddedDriver implements LogDriver {
  private final EventLog log;
  private final Producer producer;
  private final AtomicInteger topics = new AtomicInteger();

  EmbeddedDriver(Path dir) {
    this(dir, EventLogListener.NONE);
  }

  /** With {@code listener} observing the log (group commits, appends). */
  EmbeddedDriver(Path dir, EventLogListener listener) {
    this.log = EventLogs.embedded(EmbeddedLogConfig.builder(dir).listener(listener).build());
    this.producer = log.producer(producerConfig());
  }

  private static ProducerConfig producerConfig() {
    return ProducerConfig.builder().maxBufferedRecords(20_000).propagateContext(false).build();
  }

  @Override
  public String name() {
    return "bulwark-embedded";
  }

  @Override
  public String newTopic(String prefix, int partitions) {
    String t = prefix + "-" + topics.incrementAndGet();
    log.createTopic(TopicSpec.of(t, partitions));
    return t;
  }

  @Override
  public CompletableFuture<?> send(String topic, byte[] key, byte[] value) {
    return producer.send(OutgoingRecord.builder(topic).key(key).value(value).partition(0).build());
  }

  /** The embedded log itself (for the profile's counters). */
  io.bulwark.events.internal.embedded.EmbeddedEventLog log() {
    return (io.bulwark.events.internal.embedded.EmbeddedEventLog) log;
  }

  @Override
  public long stored(String topic, int partitions) {
    long total = 0;
    for (int p = 0; p < partitions; p++) {
      total +=
          ((io.bulwark.events.internal.embedded.EmbeddedEventLog) log)
              .bounds(new io.bulwark.events.TopicPartition(topic, p))[1];
    }
    return total;
  }

  @Override
  public Sender newSender() {
    Producer own = log.producer(producerConfig());
    return new Sender() {
      @Override
      public CompletableFuture<?> send(String topic, int partition, byte[] key, byte[] value) {
        return own.send(
            OutgoingRecord.builder(topic).key(key).value(value).partition(partition).build());
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
    AtomicBoolean running = new AtomicBoolean(true);
    Consumer consumer =
        log.consumer(
            ConsumerConfig.builder("bench-" + topic)
                .startFrom(ConsumerConfig.StartFrom.LATEST)
                .build());
    consumer.subscribe(List.of(topic));
    consumer.poll(Duration.ZERO);
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (running.get()) {
                    for (EventRecord r : consumer.poll(Duration.ofMillis(50))) {
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
    log.close();
  }
}
